#!/usr/bin/env bash
# Ray runner overhead per shard job, against the local runner, end to end through the CLI: the same
# snapshot of SAMPLES samples in K shards, a trivial sandboxed shard job (so what is timed is the
# runner, not the training), trained with --runner local --jobs 2 and with --runner ray on a
# one-machine cluster of 2 CPUs in a loopback-only network namespace; RUNS runs each, medians.
#   bash Tools/bench_ray_runner.sh [ASSENT_BINARY] [SAMPLES] [K] [RUNS]   (root, .venv from Tools/setup.sh)
# Prints the figures; asserts nothing about time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
assent="$(readlink -f "${1:-$root/.build/release/assent}")"
samples="${2:-16000}"
shards="${3:-16}"
runs="${4:-3}"
work="$(mktemp -d /tmp/assent-ray-bench.XXXXXX)"
source "$root/Tools/ray_cluster.sh"
trap 'stop_ray_cluster; rm -rf "$work"' EXIT
started=$(date +%s.%N)
start_ray_cluster "$work/ray"
echo "Ray cluster start: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
export ASSENT_PYTHON="$root/.venv/bin/python" ASSENT_LEDGER="$work/ledger"
"$assent" init --origin bench.example/ray >/dev/null
seq 1 "$samples" | sed 's/.*/{"text":"sample &","license":"CC-BY-4.0","source":"bench"}/' >"$work/m.jsonl"
"$assent" ingest "$work/m.jsonl" --quiet >/dev/null
snapshot="$("$assent" snapshot create --shards "$shards" --json | grep -o '"snapshot":"[^"]*"' | cut -d'"' -f4)"
job='wc -l < "$ASSENT_INPUT/manifest.json" > "$ASSENT_OUTPUT/count"'
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_train() {
  for _ in $(seq 1 "$runs"); do
    local begin end
    begin=$(date +%s.%N)
    in_ray_namespace "$assent" train --trainer exec --per-shard --snapshot "$snapshot" --quiet --exec "$job" "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$begin" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
  done | median
}
local_seconds="$(time_train --runner local --jobs 2)"
ray_seconds="$(time_train --runner ray)"
echo "$shards shard jobs over $samples samples, median of $runs:"
echo "  --runner local --jobs 2: $local_seconds s"
echo "  --runner ray (2 CPUs):   $ray_seconds s"
echo "  Ray overhead per shard job: $(awk -v r="$ray_seconds" -v l="$local_seconds" -v k="$shards" 'BEGIN { printf "%.1f", (r - l) * 1000 / k }') ms"
