#!/usr/bin/env bash
# autoscale.sh measures the autoscaler on a real Nomad agent, with the real
# scheduler and router in one test process:
#   1. from the start of a load spike to the first response served by an
#      instance the autoscaler started for it (production windows: 1 s
#      interval, 6 s panic window, 30 s stable window);
#   2. cold start of the go stack's sample app scaled to zero: from the
#      request the router holds to its first byte.
# It prints the median of RUNS runs of each (default 5). It needs Docker
# and the cached nomad binary, as the integration tests do.
#
# Usage: bench/autoscale.sh [runs]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
cd "$ROOT"
out="$(CI=true go test ./internal/autoscale/ -run '^$' -bench 'SpikeToNewInstance|ColdStart' \
  -benchtime "${RUNS}x" -count 1 -timeout 15m -v 2>&1)" || { echo "$out" >&2; exit 1; }
echo "$out" | grep -E 'spike to first|cold start to first' | sed 's/^ *//'
spike="$(echo "$out" | awk '/^BenchmarkSpikeToNewInstance/ {for (i=1;i<NF;i++) if ($(i+1)=="ms-median") print $i}')"
cold="$(echo "$out" | awk '/^BenchmarkColdStart/ {for (i=1;i<NF;i++) if ($(i+1)=="ms-median") print $i}')"
echo "spike to first response from a new instance, median of $RUNS: ${spike} ms (goal: at most 10000 ms)"
echo "cold start from zero to first byte (go sample app), median of $RUNS: ${cold} ms (goal: at most 3000 ms)"
