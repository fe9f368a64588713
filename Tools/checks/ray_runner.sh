#!/usr/bin/env bash
# The Ray runner against a real Ray cluster started on this machine inside a network namespace that
# has only loopback (outside one, Ray binds the external address whatever --node-ip-address says).
# scikit-learn shard jobs on Ray give the same model as on the local runner; a revocation reproduced
# on Ray re-runs one shard and equals training from scratch; a job failing on a worker, no cluster
# and no ray module are clear errors that log nothing. The cluster is stopped by the namespace's PIDs.
# Usage: bash Tools/checks/ray_runner.sh [ASSENT_BINARY]   (needs root for ip netns, and .venv)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
assent="$(cd "$(dirname "${1:-$root/.build/debug/assent}")" && pwd)/$(basename "${1:-assent}")"
venv="$root/.venv"
base="$(dirname "$(dirname "$(readlink -f "$venv/bin/python")")")"
trainers="$root/Tools/trainers"
work="$(mktemp -d /tmp/assent-ray.XXXXXX)"
source "$root/Tools/ray_cluster.sh"
trap 'stop_ray_cluster; rm -rf "$work"' EXIT
start_ray_cluster "$work/ray"
export ASSENT_PYTHON="$venv/bin/python" ASSENT_LEDGER="$work/ledger"
passed=0
failed=0
check() {
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok    $1"; else failed=$((failed + 1)); echo "FAIL  $1: got '$2', wanted '$3'"; fi
}
field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }
log_size() { "$assent" log info --json | grep -o '"size":[0-9]*' | cut -d: -f2; }
leftovers() { find "$ASSENT_LEDGER/models" -mindepth 1 -maxdepth 1 -name '.*' 2>/dev/null | wc -l; }

digits="$root/Tools/datasets/digits"
"$assent" init --origin example.org/ray-shards >/dev/null
"$assent" consent grant --subject alice --purpose ai-training --id c-alice >/dev/null
head -n 60 "$digits/digits-train.jsonl" |
  sed 's/^/{"license":"CC-BY-4.0","source":"uci-digits","subject":"alice","consent":"c-alice","json":/; s/$/}/' >"$work/m.jsonl"
sed -n '61,660p' "$digits/digits-train.jsonl" |
  sed 's/^/{"license":"CC-BY-4.0","source":"uci-digits","json":/; s/$/}/' >>"$work/m.jsonl"
"$assent" ingest "$work/m.jsonl" --quiet >/dev/null
sandbox=(--sandbox-ro "$trainers" --sandbox-ro "$venv" --sandbox-ro "$base")
sklearn=(--exec "$venv/bin/python $trainers/sklearn_shard.py" --aggregate-exec "$venv/bin/python $trainers/sklearn_aggregate.py")
snapshot="$("$assent" snapshot create --shards 4 --json | field snapshot)"

on_ray="$(in_ray_namespace "$assent" train --trainer exec --per-shard --snapshot "$snapshot" --runner ray \
  --check-determinism --quiet --json "${sandbox[@]}" "${sklearn[@]}")"
model="$(echo "$on_ray" | field model)"
check "shard jobs ran on Ray and were deterministic" "$(echo "$on_ray" | grep -o '"deterministic":[a-z]*')" '"deterministic":true'
check "the model entry records the Ray runner" \
  "$("$assent" log entry "$(echo "$on_ray" | grep -o '"seq":[0-9]*' | head -n 1 | cut -d: -f2)" --json | grep -o '"runner":"[a-z]*"')" '"runner":"ray"'
locally="$("$assent" train --trainer exec --per-shard --snapshot "$snapshot" --runner local --check-determinism \
  --quiet --json "${sandbox[@]}" "${sklearn[@]}")"
check "the local runner gives the same model id as Ray" "$(echo "$locally" | field model)" "$model"

"$assent" revoke --subject alice --quiet >/dev/null
again="$(in_ray_namespace "$assent" reproduce "$model" --runner ray --quiet --json)"
check "reproduction on Ray re-runs one shard job of four" "$(echo "$again" | grep -oE '"trained_shards":\[[0-9]+\]' | wc -l)" 1
recut="$(echo "$again" | field snapshot)"
scratch="$("$assent" train --trainer exec --per-shard --snapshot "$recut" --jobs 2 --check-determinism --quiet --json \
  "${sandbox[@]}" "${sklearn[@]}")"
check "training from scratch locally equals the reproduction on Ray" "$(echo "$scratch" | field model)" \
  "$(echo "$again" | field model)"

size="$(log_size)"
set +e
message="$(in_ray_namespace "$assent" train --trainer exec --per-shard --runner ray --quiet --snapshot "$recut" \
  --exec 'test "$ASSENT_SHARD" != 2 || { echo "worker says no" >&2; exit 3; }; echo ok > "$ASSENT_OUTPUT/m"' 2>&1)"
status=$?
set -e
check "a job failing on a worker exits 1" "$status" 1
check "its error names the shard, the status and the job's output" \
  "$(echo "$message" | grep -c "shard 2's job exited with status 3.*" ),$(echo "$message" | grep -c 'worker says no')" "1,1"
check "a failed Ray run logs nothing" "$(log_size)" "$size"
check "a failed Ray run leaves no model folder" "$(leftovers)" 0

escape="$(in_ray_namespace "$assent" train --trainer exec --per-shard --runner ray --quiet --json --shards 2 \
  --exec "ls '$ASSENT_LEDGER' >\"\$ASSENT_OUTPUT/seen\" 2>&1; cat /assent/input/manifest.json >/dev/null && echo read >>\"\$ASSENT_OUTPUT/seen\"" 2>&1)"
folder="$(echo "$escape" | field path)"
check "a Ray job sees its own input but not the ledger" \
  "$(grep -c 'No such file' "$folder/shards/000/seen"),$(grep -c read "$folder/shards/000/seen")" "1,1"

size="$(log_size)"
set +e
message="$(in_ray_namespace "$assent" train --trainer exec --per-shard --runner ray --ray-address 127.0.0.1:9 --quiet \
  --exec 'echo > "$ASSENT_OUTPUT/m"' 2>&1)"
status=$?
set -e
check "no cluster at the address exits 1 and says so" "$status,$(echo "$message" | grep -c 'no Ray cluster at 127.0.0.1:9')" "1,1"
check "no cluster logs nothing" "$(log_size)" "$size"
if ! /usr/bin/python3 -c 'import ray' 2>/dev/null; then
  set +e
  message="$(ASSENT_PYTHON=/usr/bin/python3 in_ray_namespace "$assent" train --trainer exec --per-shard --runner ray \
    --quiet --exec 'echo > "$ASSENT_OUTPUT/m"' 2>&1)"
  status=$?
  set -e
  check "a Python without ray exits 1 and says so" "$status,$(echo "$message" | grep -c 'ray is not installed')" "1,1"
fi
echo "ray-runner: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
