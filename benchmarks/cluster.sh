#!/usr/bin/env bash
# Replication figures on this machine (README "Cluster"): batched acks=all produce to a topic with 3 replicas vs 1
# (golog-perf against the partition's leader, alternating runs, medians; each node's CPU per message), the followers'
# lag under that load (their log end against the leader's, from /metrics), and failover time: kill -9 of a
# partition's leader to the first acknowledged acks=all produce on the new leader, once for a node that does not run
# the controller and once for the controller's node. Three Release brokers on temp storage, ports 0 and ports files.
#   bash benchmarks/cluster.sh
#   RUNS=5 MESSAGES=1000000 bash benchmarks/cluster.sh
#   SET="--set golog.cluster.failure-timeout=1s --set golog.cluster.down-after=1s" bash benchmarks/cluster.sh
#   PROFILE=1 bash benchmarks/cluster.sh   # also: where each node's CPU goes in the first RF=3 run (perf, top symbols)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
MESSAGES=${MESSAGES:-500000}
# perf can name JIT-compiled methods only through the runtime's perf map
[ -n "${PROFILE:-}" ] && export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
dotnet build -c Release src/Golog.Broker -v q -nologo >/dev/null
dotnet build -c Release src/Golog.Perf -v q -nologo >/dev/null
BROKER=src/Golog.Broker/bin/Release/net10.0/golog-broker.dll
PERF=src/Golog.Perf/bin/Release/net10.0/golog-perf
work=$(mktemp -d)
declare -A pid
trap 'kill -9 ${pid[@]} 2>/dev/null || true; rm -rf "$work"' EXIT

port_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['port'])" "$work/ports-$1.json" "$2"; }
wait_ports() { for _ in $(seq 1 300); do [ -s "$work/ports-$1.json" ] && return 0; sleep 0.1; done; echo "node $1 did not start" >&2; exit 1; }
start() { # $1 node id, $2 seeds ("" for the first)
  rm -f "$work/ports-$1.json"
  local seeds=(); [ -n "$2" ] && seeds=(--seed-nodes "$2")
  # shellcheck disable=SC2086
  dotnet "$BROKER" --node-id "$1" --cluster-port 0 "${seeds[@]}" --port 0 --kafka-port 0 --http-port 0 --storage "$work/n$1" \
    --ports-file "$work/ports-$1.json" ${SET:-} > "$work/n$1.log" 2>&1 &
  pid[$1]=$!
  disown "$!" # no "Killed" notice from the shell when the run kills it
  wait_ports "$1"
}
# request PORT JSON...: one line each, prints the replies
request() { python3 - "$@" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); f = s.makefile("rwb")
for r in sys.argv[2:]:
    f.write((r + "\n").encode()); f.flush(); print(f.readline().decode().strip())
PY
}
leader_of() { # $1 port to ask, $2 topic: the node id leading partition 0
  request "$1" "{\"type\":\"metadata\",\"id\":1,\"topic\":\"$2\"}" | python3 -c "import json,sys; print(json.load(sys.stdin)['topics'][0]['partitions'][0]['leader'])"
}

start 1 ""
seed="127.0.0.1:$(port_of 1 cluster)"
start 2 "$seed"; start 3 "$seed"
json1=$(port_of 1 json)
for _ in $(seq 1 100); do [ "$(request "$json1" '{"type":"metadata","id":1}' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["brokers"]))')" = 3 ] && break; sleep 0.2; done
for t in rf3 rf1 fo3; do
  rf=3; partitions=3; [ $t = rf1 ] && rf=1; [ $t != fo3 ] && partitions=1
  request "$json1" "{\"type\":\"create_topic\",\"id\":1,\"topic\":\"$t\",\"partitions\":$partitions,\"replication_factor\":$rf}" >/dev/null
done
part_led_by() { # $1 topic, $2 node: a partition of the topic it leads
  request "$json1" "{\"type\":\"metadata\",\"id\":1,\"topic\":\"$1\"}" | python3 -c "
import json,sys; ps=json.load(sys.stdin)['topics'][0]['partitions']; print(next(p['partition'] for p in ps if p['leader']==int(sys.argv[1])))" "$2"
}
lag_sampler() { # $1 the leader of rf3-0: prints "max median" lag in messages per follower when stopped (SIGTERM)
  exec python3 - "$1" "$(port_of 1 http)" "$(port_of 2 http)" "$(port_of 3 http)" <<'PY'
import signal, statistics, sys, time, urllib.request
leader, ports = int(sys.argv[1]), {n: int(p) for n, p in zip((1, 2, 3), sys.argv[2:])}
def log_end(node): # rf3-0's line, whatever the order of its labels
    text = urllib.request.urlopen(f"http://127.0.0.1:{ports[node]}/metrics", timeout=2).read().decode()
    for line in text.splitlines():
        if line.startswith("golog_partition_log_end_offset{") and 'topic="rf3"' in line and 'partition="0"' in line:
            return int(float(line.rsplit(" ", 1)[1]))
    return None
lags = {n: [] for n in ports if n != leader}
def report(*_):
    for n, values in lags.items():
        if values: print(f"node {n}: max {max(values)}, median {int(statistics.median(values))} messages behind ({len(values)} samples)")
    sys.exit(0)
signal.signal(signal.SIGTERM, report)
while True:
    try:
        ends = {n: log_end(n) for n in ports}
        if all(v is not None for v in ends.values()):
            for n in lags: lags[n].append(max(0, ends[leader] - ends[n]))
    except OSError: pass
    time.sleep(0.1)
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a process, in clock ticks
hz=$(getconf CLK_TCK)
rf3=(); rf1=()
declare -A cpu # "topic node" -> CPU microseconds per message, one value per run
for r in $(seq 1 "$RUNS"); do
  for t in rf3 rf1; do
    leading=$(leader_of "$json1" $t)
    leader=$(port_of "$leading" json) # golog-perf talks to the partition's leader
    declare -A before=(); for n in 1 2 3; do before[$n]=$(cpu_ticks "${pid[$n]}"); done
    profiling=(); if [ -n "${PROFILE:-}" ] && [ $t = rf3 ] && [ "$r" = 1 ]; then
      for n in 1 2 3; do perf record -F 999 -g -p "${pid[$n]}" -o "$work/node$n.perf" >/dev/null 2>&1 & profiling+=($!); done
    fi
    v=$("$PERF" produce --broker "127.0.0.1:$leader" --topic $t --messages "$MESSAGES" --batch 1000 --inflight 8 2>&1 | grep -o 'msgs_per_s=[0-9]*' | cut -d= -f2 || echo 0)
    if [ ${#profiling[@]} -gt 0 ]; then
      kill -INT "${profiling[@]}"; wait "${profiling[@]}" 2>/dev/null || true
      for n in 1 2 3; do
        role="a follower"; [ "$n" = "$leading" ] && role="the leader"
        echo "profile of node $n ($role of rf3), top symbols:"
        perf report -i "$work/node$n.perf" --no-children --sort sym -q -g none 2>/dev/null | grep -v '^$' | head -30 || true
      done
    fi
    for n in 1 2 3; do
      role=other; [ "$n" = "$leading" ] && role=leader
      cpu["$t $role"]+="$(python3 -c "print(round(($(cpu_ticks "${pid[$n]}") - ${before[$n]}) / $hz / $MESSAGES * 1e6, 2))") "
    done
    if [ $t = rf3 ]; then rf3+=("$v"); else rf1+=("$v"); fi
  done
done
# follower lag, in a run of its own (the sampling's scrapes are not counted in the figures above)
leading=$(leader_of "$json1" rf3)
for n in 1 2 3; do # a node's first scrape compiles the exporter: seconds on a busy machine, not to be counted as lag
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=60).read()' "http://127.0.0.1:$(port_of "$n" http)/metrics"
done
lag_sampler "$leading" > "$work/lag.txt" & sampling=$!
lag_run=$("$PERF" produce --broker "127.0.0.1:$(port_of "$leading" json)" --topic rf3 --messages "$MESSAGES" --batch 1000 --inflight 8 2>&1 | grep -o 'RESULT.*' || true)
kill "$sampling"; wait "$sampling" 2>/dev/null || true
m3=$(printf '%s\n' "${rf3[@]}" | median); m1=$(printf '%s\n' "${rf1[@]}" | median)
echo "batched acks=all produce, 1 connection x 8 in flight x 1000/batch, $MESSAGES msgs of 100 B, medians of $RUNS:"
echo "  RF=3: $m3 msgs/s (runs: ${rf3[*]})"
echo "  RF=1: $m1 msgs/s (runs: ${rf1[*]})"
echo "  RF=3 / RF=1: $(python3 -c "print(round($m3/$m1, 2))")"
echo "  broker CPU per message (user + system, us), per run: the leader, then each other node (its followers for RF=3)"
for t in rf3 rf1; do echo "    $t: leader ${cpu["$t leader"]}| others ${cpu["$t other"]}"; done
echo "  follower lag during one more RF=3 run (leader's log end minus the follower's, sampled every 100 ms):"
sed 's/^/    /' "$work/lag.txt"
echo "    (that run: ${lag_run:-no result})"

failover() { # $1 node to kill, $2 topic: seconds from kill -9 to the first acknowledged produce to the partition it led
  local p; p=$(part_led_by "$2" "$1")
  local ports=(); for n in 1 2 3; do [ "$n" != "$1" ] && ports+=("$(port_of "$n" json)"); done
  kill -9 "${pid[$1]}"
  python3 - "$2" "$p" "${ports[@]}" <<'PY'
import json, socket, sys, time
topic, part, ports = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
start = time.time()
while time.time() - start < 60:
    for port in ports:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2); f = s.makefile("rwb")
            f.write((json.dumps({"type": "produce", "id": 1, "topic": topic, "partition": part, "message": "after"}) + "\n").encode()); f.flush()
            reply = json.loads(f.readline())
            s.close()
            if reply.get("ok"): print(f"{time.time() - start:.2f}"); sys.exit(0)
        except (OSError, ValueError): pass
    time.sleep(0.05)
print("none within 60 s")
PY
}
controller=$(request "$json1" '{"type":"metadata","id":1}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["controller"])')
other=2; [ "$controller" = 2 ] && other=3
echo "failover, kill -9 of node $other (leads a partition, not the controller): $(failover $other fo3) s"
# a majority must stay: node $other comes back (same storage) and catches up before the controller's node goes
survivor=$(( other == 3 ? 2 : 3 )); [ "$controller" != 1 ] && survivor=1
json1=$(port_of "$survivor" json)
start "$other" "127.0.0.1:$(port_of "$survivor" cluster)"
for _ in $(seq 1 150); do
  request "$json1" '{"type":"metadata","id":1,"topic":"fo3"}' | python3 -c '
import json,sys; ps=json.load(sys.stdin)["topics"][0]["partitions"]; sys.exit(0 if all(len(p["isr"])==3 for p in ps) else 1)' && break
  sleep 0.2
done
echo "failover, kill -9 of node $controller (leads a partition and runs the controller): $(failover "$controller" fo3) s"
