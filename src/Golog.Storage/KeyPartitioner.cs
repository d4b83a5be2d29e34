using System.Buffers.Binary;

namespace Golog.Storage;

/// <summary>
/// Kafka's default partitioner for keyed records: murmur2 of the key bytes, made positive, modulo the partition count.
/// Using Kafka's function means a key lands on the same partition here as with a Kafka client; the broker and
/// Golog.Client (which picks partitions itself to send each batch to its leader) share it.
/// </summary>
public static class KeyPartitioner
{
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount) => (Murmur2(key) & 0x7fffffff) % partitionCount;

    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        uint h = 0x9747b28c ^ (uint)data.Length;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= m;
            k ^= k >> 24;
            k *= m;
            h *= m;
            h ^= k;
        }
        switch (data.Length - i)
        {
            case 3: h ^= (uint)data[i + 2] << 16; goto case 2;
            case 2: h ^= (uint)data[i + 1] << 8; goto case 1;
            case 1: h ^= data[i]; h *= m; break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
