#!/usr/bin/env bash
# Regenerates the kcat-*.batch fixtures: batches as librdkafka (Debian kcat 1.7.1, librdkafka 2.0.2) encodes them,
# captured from its socket writes to its own in-process mock cluster, so no broker is needed.
# Needs: apt-get install -y kcat strace. Run from this directory.
set -euo pipefail
for i in 0 1 2; do printf 'key-%d:value-%d-%s\n' "$i" "$i" "$(printf 'abcdefghij%.0s' {1..40})"; done > /tmp/golog-fixture-msgs.txt
capture() { # output name, extra kcat arguments...
  local out=$1; shift
  strace -f -e trace=sendmsg -xx -s 100000 -o /tmp/golog-fixture-trace.txt \
    kcat -P -b 127.0.0.1:1 -X test.mock.num.brokers=1 -X linger.ms=100 -t fx -p 0 -K: -H hk=hv -l /tmp/golog-fixture-msgs.txt "$@" 2>/dev/null
  python3 extract_batch.py /tmp/golog-fixture-trace.txt "$out"
}
for z in gzip snappy lz4 zstd; do capture "kcat-$z.batch" -z "$z"; done
capture kcat-lz4-idempotent.batch -z lz4 -X enable.idempotence=true
