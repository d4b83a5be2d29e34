#!/usr/bin/env bash
# A broker with many single-partition topics: idle memory and open descriptors, how soon after a restart (clean, and
# after kill -9) every partition answers its first fetch, and how long the clean shutdown takes. For each N: a Release
# broker on a temp storage directory (port 0, ports file) gets one produce to each of N topics (auto-created), then is
# measured idle (VmRSS from /proc/PID/status, descriptors in /proc/PID/fd), stopped with SIGTERM, restarted and
# fetched from (every partition, offset 0, the record checked), stopped with SIGTERM again (every partition opened
# and read, none changed), restarted and fetched from, then killed with SIGKILL, restarted and fetched from again.
# "first fetch" is the time from the ports file appearing (the broker writes it once it listens) to the reply of the
# last partition's first fetch, all fetches pipelined on one connection. Prints a table (README, "Recovery time").
#   bash benchmarks/many-partitions.sh              # N = 3000 and 10000
#   COUNTS="1000" bash benchmarks/many-partitions.sh
#   BROKER=/path/to/golog-broker.dll bash benchmarks/many-partitions.sh   # another build (e.g. main, for "before")
set -euo pipefail
cd "$(dirname "$0")/.."
COUNTS=${COUNTS:-"3000 10000"}
if [ -z "${BROKER:-}" ]; then
  dotnet build -c Release src/Golog.Broker -v q -nologo >/dev/null
  BROKER=src/Golog.Broker/bin/Release/net10.0/golog-broker.dll
fi
rows=$(mktemp)

python_client() { # $1 command (produce | fetch), $2 ports file, $3 N; prints seconds from the ports file to the last reply
  python3 - "$@" <<'PY'
import json, os, socket, sys, time
command, ports_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
listening = os.stat(ports_file).st_mtime  # the broker wrote it once it listened
port = json.load(open(ports_file))["json"]["port"]
sock = socket.create_connection(("127.0.0.1", port))
reader = sock.makefile("rb")
window = 512  # under golog.connections.max-in-flight (1024)
sent = answered = 0
def request(i):
    if command == "produce":
        return {"type": "produce", "id": i, "topic": f"t{i}", "partition": 0, "message": f"m{i}"}
    return {"type": "fetch", "id": i, "topic": f"t{i}", "partition": 0, "offset": 0, "max_messages": 1}
while answered < n:
    batch = []
    while sent < n and sent - answered < window:
        batch.append(json.dumps(request(sent)))
        sent += 1
    if batch:
        sock.sendall(("\n".join(batch) + "\n").encode())
    reply = json.loads(reader.readline())
    if not reply.get("ok"):
        sys.exit(f"{command} {reply.get('id')} failed: {reply}")
    if command == "fetch" and [r["message"] for r in reply["records"]] != [f"m{reply['id']}"]:
        sys.exit(f"fetch {reply['id']} returned {reply['records']}")
    answered += 1
print(f"{time.time() - listening:.2f}")
PY
}

start_broker() { # $1 dir; sets pid
  rm -f "$1/ports.json"
  dotnet "$BROKER" --port 0 --kafka-port 0 --http-port 0 --storage "$1/data" --ports-file "$1/ports.json" >>"$1/broker.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do [ -f "$1/ports.json" ] && return; sleep 0.05; done
  echo "broker did not start; log: $1/broker.log" >&2; exit 1
}

rss_mb() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

stop_broker() { # clean stop (SIGTERM); sets stopped to the seconds it took
  local started
  started=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true
  stopped=$(echo "$(date +%s.%N) - $started" | bc | xargs printf "%.1f")
}

for n in $COUNTS; do
  dir=$(mktemp -d)
  start_broker "$dir"
  rss0=$(rss_mb "$pid"); fds0=$(fds "$pid")
  produced=$(python_client produce "$dir/ports.json" "$n")
  sleep 3
  rss1=$(rss_mb "$pid"); fds1=$(fds "$pid")
  stop_broker; stop1=$stopped
  start_broker "$dir"
  clean=$(python_client fetch "$dir/ports.json" "$n")
  sleep 3
  rss2=$(rss_mb "$pid"); fds2=$(fds "$pid")
  stop_broker; stop_read=$stopped
  start_broker "$dir"
  python_client fetch "$dir/ports.json" "$n" >/dev/null
  kill -KILL "$pid"; wait "$pid" || true
  start_broker "$dir"
  killed=$(python_client fetch "$dir/ports.json" "$n")
  stop_broker; stop2=$stopped
  timeouts=$(grep -c -i "timed out\|did not close within" "$dir/broker.log" || true)
  printf "%s\t%s MB / %s fds\t%s MB / %s fds\t%s s\t%s s\t%s s\t%s MB / %s fds\t%s s\t%s s\t%s s\t%s\n" \
    "$n" "$rss0" "$fds0" "$rss1" "$fds1" "$produced" "$stop1" "$clean" "$rss2" "$fds2" "$stop_read" "$killed" "$stop2" "$timeouts" >>"$rows"
  rm -rf "$dir"
done

echo
echo "load: $(uptime)"
{
  printf "partitions\tempty broker\tidle after produce\tlisten to all produced\tclean stop\tfirst fetch of all, after clean stop\tafter fetching all\tclean stop, all read\tfirst fetch of all, after kill -9\tclean stop\tshutdown timeouts\n"
  cat "$rows"
} | column -t -s $'\t'
rm -f "$rows"
