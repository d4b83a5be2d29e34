#!/usr/bin/env bash
# What metrics cost on the hot paths: batched produce then consume against a Release broker with the HTTP door off
# (nothing listens to the instruments), on (OpenTelemetry collecting, nobody scraping) and on with /metrics scraped
# every SCRAPE seconds, rotating the order each round so all see the same machine. Prints golog-perf's RESULT lines
# with the broker's CPU time per message (from /proc, so it holds even when other work shares the box), then the
# medians per mode. Each broker is warmed up first (300,000 messages through another topic). README "Observe" has the figures.
#   bash benchmarks/metrics-overhead.sh                                   # 3 rounds of 1,000,000 messages
#   ROUNDS=5 MESSAGES=3000000 SCRAPE=1 bash benchmarks/metrics-overhead.sh
# Where Linux perf is installed (Debian: linux-perf) a last, profiled round samples the scraped broker during each
# workload and prints the share of its CPU samples in metrics code (the instruments, OpenTelemetry's aggregation and
# exporter): the cost proper, which the end-to-end medians bound only within their run-to-run spread. PROFILE=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
MESSAGES=${MESSAGES:-1000000}
SCRAPE=${SCRAPE:-1}
PROFILE=${PROFILE:-1}
command -v perf >/dev/null || { [ "$PROFILE" = 1 ] && echo "note: perf not installed (apt-get install linux-perf): no profiled round"; PROFILE=0; }
dotnet build -c Release src/Golog.Broker -v q -nologo >/dev/null
dotnet build -c Release src/Golog.Perf -v q -nologo >/dev/null
broker=src/Golog.Broker/bin/Release/net10.0/golog-broker.dll
perf=src/Golog.Perf/bin/Release/net10.0/golog-perf.dll
results=$(mktemp)

port_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['port'])" "$1" "$2"; }

run_mode() { # $1 round, $2 mode: off | on | scraped, $3 profile: 1 = perf-record the broker during each workload
  local round=$1 mode=$2 profile=${3:-0} dir http json broker_pid scraper_pid="" enabled=on perf_pid
  dir=$(mktemp -d)
  [ "$mode" = off ] && enabled=off
  # perf names JIT-compiled methods from the runtime's perf map (written only when asked for; W^X off, or the code
  # runs from a double mapping the map does not describe)
  DOTNET_PerfMapEnabled=$profile DOTNET_EnableWriteXorExecute=$((1 - profile)) dotnet "$broker" --port 0 --kafka-port 0 --http-port 0 --storage "$dir/data" --ports-file "$dir/ports.json" --set golog.http.enabled=$enabled >"$dir/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 150); do [ -f "$dir/ports.json" ] && break; sleep 0.2; done
  json=$(port_of "$dir/ports.json" json)
  # warm-up on another topic, not counted: the JIT and the first segment files are not what metrics cost. The
  # exporter's code is warmed up too (50 scrapes: tiered JIT recompiles a method after 30 calls); a cold scrape costs
  # ~10 ms of JIT, a warm one ~1 ms, and a long-running broker scraped every 15 s is warm after minutes.
  if [ "$mode" != off ]; then
    http=$(port_of "$dir/ports.json" http)
    for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$http/metrics"; done
  fi
  dotnet "$perf" produce --broker "127.0.0.1:$json" --topic warmup --batch 1000 --inflight 4 --messages 300000 >/dev/null
  dotnet "$perf" consume --broker "127.0.0.1:$json" --topic warmup --batch 5000 >/dev/null
  if [ "$mode" = scraped ]; then
    (while sleep "$SCRAPE"; do curl -s -o /dev/null "http://127.0.0.1:$http/metrics" || true; done) &
    scraper_pid=$!
  fi
  for workload in produce consume; do
    local extra=(--batch 1000 --inflight 4 --messages "$MESSAGES")
    [ "$workload" = consume ] && extra=(--batch 5000)
    if [ "$profile" = 1 ]; then
      perf record -q -F 999 -p "$broker_pid" -o "$dir/$workload.perf" 2>/dev/null & perf_pid=$!
      sleep 0.5 # perf attached before the workload starts
    fi
    line="round=$round metrics=$mode $(dotnet "$perf" "$workload" --broker "127.0.0.1:$json" --topic overhead --broker-pid "$broker_pid" "${extra[@]}" | grep '^RESULT')"
    if [ "$profile" = 1 ]; then
      kill -INT "$perf_pid"; wait "$perf_pid" || true
      perf report -i "$dir/$workload.perf" --no-children --sort sym -g none -q 2>/dev/null | python3 -c '
import re, sys
total = metrics = 0.0
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+\[.\]\s+(.*)", line)
    if not m: continue
    total += float(m.group(1))
    if re.search(r"OpenTelemetry|System\.Diagnostics\.Metrics|Golog\.[\w.]*Metrics|BrokerGauges|CountFetched|ActivityHistory", m.group(2)): metrics += float(m.group(1))
print(f"profile workload='"$workload"' metrics_share_of_broker_cpu={metrics / max(total, 1e-9) * 100:.2f}%")'
    else echo "$line" | tee -a "$results"
    fi
  done
  [ -n "$scraper_pid" ] && kill "$scraper_pid"
  kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
  rm -rf "$dir"
}

modes=(off on scraped)
for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1 2; do run_mode "$round" "${modes[$(( (i + round - 1) % 3 ))]}"; done
done

[ "$PROFILE" = 1 ] && run_mode profiled scraped 1

echo "load: $(uptime)"
python3 - "$results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r'(\w+)=(\S+)', line))
    rows.setdefault((f['workload'], f['metrics']), []).append((float(f['msgs_per_s']), float(f.get('broker_cpu_us_per_msg', 'nan'))))
for workload in ('produce', 'consume'):
    off = rows[(workload, 'off')]
    base_rate = statistics.median(r for r, _ in off); base_cpu = statistics.median(c for _, c in off)
    for mode in ('off', 'on', 'scraped'):
        rs = rows[(workload, mode)]
        rate = statistics.median(r for r, _ in rs); cpu = statistics.median(c for _, c in rs)
        print(f"{workload:8} {mode:8} median {rate:>10,.0f} msgs/s ({rate / base_rate:.2f}x off)  broker CPU {cpu:.2f} us/msg ({cpu / base_cpu:.2f}x off)")
PY
rm -f "$results"
