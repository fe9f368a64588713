#!/usr/bin/env bash
# A real external trainer, one job per shard: scikit-learn LogisticRegression on the digits split in
# 4 sandboxed shard jobs with an aggregate, its held-out accuracy, a revocation that re-runs one shard
# job, and training from scratch on the re-cut snapshot giving the same model. Usage:
#   bash Tools/checks/sklearn_per_shard.sh [ASSENT_BINARY]      (needs .venv from Tools/setup.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
assent="$(cd "$(dirname "${1:-$root/.build/debug/assent}")" && pwd)/$(basename "${1:-assent}")"
venv="$root/.venv"
base="$(dirname "$(dirname "$(readlink -f "$venv/bin/python")")")"
trainers="$root/Tools/trainers"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASSENT_LEDGER="$work/ledger"
passed=0
failed=0
check() {
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok    $1"; else failed=$((failed + 1)); echo "FAIL  $1: got '$2', wanted '$3'"; fi
}
digits="$root/Tools/datasets/digits"
"$assent" init --origin example.org/sklearn-shards >/dev/null
"$assent" consent grant --subject alice --purpose ai-training --id c-alice >/dev/null
head -n 100 "$digits/digits-train.jsonl" |
  sed 's/^/{"license":"CC-BY-4.0","source":"uci-digits","subject":"alice","consent":"c-alice","json":/; s/$/}/' > "$work/m.jsonl"
tail -n +101 "$digits/digits-train.jsonl" |
  sed 's/^/{"license":"CC-BY-4.0","source":"uci-digits","json":/; s/$/}/' >> "$work/m.jsonl"
"$assent" ingest "$work/m.jsonl" --quiet >/dev/null
train=(train --trainer exec --per-shard --shards 4 --jobs 2 --check-determinism --quiet --json
  --sandbox-ro "$trainers" --sandbox-ro "$venv" --sandbox-ro "$base"
  --exec "$venv/bin/python $trainers/sklearn_shard.py" --aggregate-exec "$venv/bin/python $trainers/sklearn_aggregate.py")
first="$("$assent" "${train[@]}")"
model="$(echo "$first" | grep -o '"model":"sha256:[0-9a-f]*"' | cut -d'"' -f4)"
folder="$(echo "$first" | grep -o '"path":"[^"]*"' | cut -d'"' -f4)"
check "scikit-learn shard jobs are deterministic twice over" "$(echo "$first" | grep -o '"deterministic":[a-z]*')" '"deterministic":true'
accuracy="$("$venv/bin/python" "$trainers/sklearn_predict.py" "$folder" "$digits/digits-test.jsonl")"
echo "      held-out accuracy of the 4-shard ensemble: $accuracy"
bp="$(echo "$accuracy" | grep -o '"accuracy_bp": [0-9]*' | grep -o '[0-9]*$')"
check "the ensemble predicts held-out digits (accuracy over 90%)" "$([ "$bp" -gt 9000 ] && echo yes || echo no)" yes
"$assent" revoke --subject alice --quiet >/dev/null
again="$("$assent" reproduce "$model" --quiet --json)"
check "reproduction re-runs one shard job of four" "$(echo "$again" | grep -oE '"trained_shards":\[[0-9]+\]' | wc -l)" 1
snapshot="$(echo "$again" | grep -o '"snapshot":"snap-[0-9]*"' | cut -d'"' -f4)"
reproduced="$(echo "$again" | grep -o '"model":"sha256:[0-9a-f]*"' | cut -d'"' -f4)"
scratch_args=(train --trainer exec --per-shard --snapshot "$snapshot" --jobs 1 --check-determinism --quiet --json
  --sandbox-ro "$trainers" --sandbox-ro "$venv" --sandbox-ro "$base"
  --exec "$venv/bin/python $trainers/sklearn_shard.py" --aggregate-exec "$venv/bin/python $trainers/sklearn_aggregate.py")
scratch="$("$assent" "${scratch_args[@]}")"
check "training from scratch on the re-cut snapshot gives the reproduced model" \
  "$(echo "$scratch" | grep -o '"model":"sha256:[0-9a-f]*"' | cut -d'"' -f4)" "$reproduced"
echo "sklearn-per-shard: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
