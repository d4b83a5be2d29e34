#!/usr/bin/env bash
# The README's test command. Installs what the tests need that the .NET SDK does not bring
# (as root, from Debian's and npm's registries; skipped with a note otherwise), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

apt_updated=0
# need_apt COMMAND PACKAGE: installs PACKAGE when COMMAND is missing (apt-get update at most once).
need_apt() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "tests/run.sh: $1 is missing and this is not root; the tests that need it will say they were skipped" >&2
        return 0
    fi
    if [ "$apt_updated" -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# npm_ci DIR: installs the pinned node packages of a test folder (package-lock.json) when node is there.
npm_ci() {
    if command -v npm >/dev/null 2>&1; then (cd "$1" && npm ci --no-audit --no-fund --loglevel=error); fi
}

# What each test suite needs (one line per need, next to the suite that needs it):
need_apt kcat kcat                      # tests/Golog.Kafka.Tests: kcat 1.7.1 (librdkafka 2.0.2) against the Kafka door
npm_ci tests/Golog.Kafka.Tests/kafkajs  # tests/Golog.Kafka.Tests: KafkaJS 2.2.4 (pinned) against the Kafka door
need_apt chromium chromium                 # Golog.Http.Tests: the web console in a real headless browser
npm_ci tests/Golog.Http.Tests/browser      # Golog.Http.Tests: playwright-core (pinned) drives that browser

# normal verbosity: each test by name, and the lines suites print for the log (e.g. the power-loss summary).
# The log is kept so that a failure is summed up again at the very end: suites run side by side and a
# failing test's lines are otherwise buried minutes before the last line a CI log shows.
log=$(mktemp -t golog-tests.XXXXXX)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Golog.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo
    echo "tests/run.sh: dotnet test exited with $status. What failed (each with the lines that follow it):"
    grep -E -A 12 '^\s+Failed |error [A-Z]+[0-9]+:|Test Run Aborted|The active test run was aborted|Test host process crashed' "$log" | head -300
fi
exit "$status"
