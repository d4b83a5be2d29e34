# Finds the RecordBatch v2 (CRC-32C valid) in the bytes an strace of a Kafka client sent; writes the first to argv[2].
import re, sys, struct
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF
text = open(sys.argv[1]).read()
blob = b''.join(bytes.fromhex(m.replace('\\x','')) for m in re.findall(r'iov_base="((?:\\x[0-9a-f]{2})*)"', text))
found = []
i = 0
while i + 61 <= len(blob):
    if blob[i+16] == 2:
        length = struct.unpack('>i', blob[i+8:i+12])[0]
        end = i + 12 + length
        if 49 <= length and end <= len(blob):
            crc = struct.unpack('>I', blob[i+17:i+21])[0]
            if crc == crc32c(blob[i+21:end]):
                found.append(blob[i:end]); i = end; continue
    i += 1
for n, b in enumerate(found):
    attrs = struct.unpack('>h', b[21:23])[0]
    print(n, len(b), 'codec', attrs & 7, 'pid', struct.unpack('>q', b[43:51])[0], 'seq', struct.unpack('>i', b[53:57])[0], 'count', struct.unpack('>i', b[57:61])[0], file=sys.stderr)
if len(sys.argv) > 2 and found:
    open(sys.argv[2], 'wb').write(found[0])
