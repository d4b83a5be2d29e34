#!/usr/bin/env bash
# What metrics cost on the hot paths: batched produce then consume against a Release broker with the HTTP door off
# (nothing listens to the instruments) and on (OpenTelemetry collecting, /metrics scraped every second), alternating
# in one run so both see the same machine. Prints golog-perf's RESULT lines; README "Observe" has the figures.
#   bash benchmarks/metrics-overhead.sh              # 2 rounds of 500,000 messages each way
#   ROUNDS=3 MESSAGES=1000000 bash benchmarks/metrics-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
MESSAGES=${MESSAGES:-500000}
dotnet build -c Release src/Golog.Broker -v q -nologo >/dev/null
dotnet build -c Release src/Golog.Perf -v q -nologo >/dev/null
broker=src/Golog.Broker/bin/Release/net10.0/golog-broker.dll
perf=src/Golog.Perf/bin/Release/net10.0/golog-perf.dll

port_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['port'])" "$1" "$2"; }

for round in $(seq 1 "$ROUNDS"); do
  for metrics in off on; do
    dir=$(mktemp -d)
    dotnet "$broker" --port 0 --kafka-port 0 --http-port 0 --storage "$dir/data" --ports-file "$dir/ports.json" --set golog.http.enabled=$metrics >"$dir/broker.log" 2>&1 &
    broker_pid=$!
    for _ in $(seq 1 100); do [ -f "$dir/ports.json" ] && break; sleep 0.2; done
    json=$(port_of "$dir/ports.json" json)
    scraper_pid=""
    if [ "$metrics" = on ]; then
      http=$(port_of "$dir/ports.json" http)
      (while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$http/metrics" || true; done) &
      scraper_pid=$!
    fi
    for workload in produce consume; do
      extra=(--batch 1000 --inflight 4 --messages "$MESSAGES")
      [ "$workload" = consume ] && extra=(--batch 5000)
      result=$(dotnet "$perf" "$workload" --broker "127.0.0.1:$json" --topic overhead "${extra[@]}" | grep '^RESULT')
      echo "round=$round metrics=$metrics $result"
    done
    [ -n "$scraper_pid" ] && kill "$scraper_pid"
    kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
    rm -rf "$dir"
  done
done
