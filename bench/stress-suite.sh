#!/usr/bin/env bash
# The full suite N times in a row (default 5) while stress-ng keeps both cores busy: a test may fail only when the
# product is wrong, never because the machine is slow. Starts and stops its own load; the suite knows nothing of it.
#   bench/stress-suite.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-5}"
if ! command -v stress-ng >/dev/null 2>&1; then
  if [[ "$(id -u)" -ne 0 ]]; then sudo=sudo; else sudo=; fi
  apt-cache show stress-ng >/dev/null 2>&1 || $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
fi
stress-ng --cpu "$(nproc)" --timeout 3h --quiet &
load=$!
trap 'kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true' EXIT
passed_runs=0
for (( i = 1; i <= runs; i++ )); do
  line="$(./dataspace test 2>/dev/null | tail -n 1)" || true
  cp .dataspace/test/test.log ".dataspace/stress-run-$i.log" 2>/dev/null || true # each run's log is kept
  printf 'run %d/%d under load: %s\n' "$i" "$runs" "$line"
  if [[ "$line" =~ ^[0-9]+\ passed,\ 0\ failed ]]; then passed_runs=$((passed_runs + 1)); fi
done
printf '%d of %d runs green under load\n' "$passed_runs" "$runs"
(( passed_runs == runs ))
