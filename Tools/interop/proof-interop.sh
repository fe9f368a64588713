#!/usr/bin/env bash
# Checks Assent's provenance proofs with independent tools: the Python verifier in Tools/ (only
# `cryptography`), the official OpenSSF `model_signing` CLI on our model.sig, securesystemslib on our
# DSSE envelopes; and checks that our verifier gives the official tool's verdict on every file of the
# reference model-signing sample.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
assent=${ASSENT:-"$root/.build/debug/assent"}
python="$root/.venv/bin/python"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
expect() {  # expect <exit code> <description> <command...>
  local want=$1 what=$2
  shift 2
  "$@" >"$work/out" 2>&1
  local got=$?
  if [ "$got" -eq "$want" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what (exit $got, wanted $want)"; cat "$work/out"; fi
}

"$assent" demo --dir "$work/demo" --data "$root/Tools/datasets/digits" >/dev/null || { echo "FAIL: the demo did not run"; exit 1; }
ledger="$work/demo/ledger"
current="$work/demo/proof-reproduced-model"
stale="$work/demo/proof-stale-model"
model_of() { "$assent" models --json --ledger "$ledger" | "$python" -c "
import json, sys
models = json.load(sys.stdin)['models']
print([m for m in models if m['stale'] == ('$1' == 'stale')][0]['folder'])"; }
current_model="$ledger/$(model_of current)"
stale_model="$ledger/$(model_of stale)"

expect 0 "python verifier accepts the current model's proof" "$python" "$root/Tools/verify_proof.py" "$current" "$current_model" --trust "$ledger/trust.json"
expect 2 "python verifier refuses the stale model" "$python" "$root/Tools/verify_proof.py" "$stale" "$stale_model"
expect 0 "python verifier accepts the stale model with --allow-stale" "$python" "$root/Tools/verify_proof.py" "$stale" "$stale_model" --allow-stale --trust "$ledger/trust.json"
expect 3 "python verifier without --trust says the proof is only internally consistent" "$python" "$root/Tools/verify_proof.py" "$current" "$current_model"
expect 0 "model_signing 1.1.1 verifies our model.sig" "$root/.venv/bin/model_signing" verify key "$current_model" --signature "$current/model.sig" --public_key "$current/signing-key.pub.pem"
for envelope in model.sig provenance.dsse.json snapshot.dsse.json status.dsse.json; do
  expect 0 "securesystemslib verifies $envelope" "$python" "$here/sslib_verify.py" "$current/$envelope" "$current/signing-key.pub.pem"
done
cp -r "$current_model" "$work/tampered-model"
printf 'x' >> "$work/tampered-model/shard-000.bin"
expect 1 "model_signing refuses a changed model file" "$root/.venv/bin/model_signing" verify key "$work/tampered-model" --signature "$current/model.sig" --public_key "$current/signing-key.pub.pem"
expect 2 "our verifier refuses a changed model file" "$assent" verify "$current" --model "$work/tampered-model"
expect 2 "the python verifier refuses a changed model file" "$python" "$root/Tools/verify_proof.py" "$current" "$work/tampered-model"

sample="$root/Tests/Fixtures/model-signing-sample"
for verdict in "0 sample_model.sig" "0 handmade.sig" "0 handmade-ext.sig" "0 negative/neg-no-hint.sig" \
  "2 negative/neg-hint-no-newline.sig" "2 negative/neg-p1363-sig.sig" "2 negative/neg-urlsafe-b64-sig.sig"; do
  set -- $verdict
  expect "$1" "our verdict on $2 matches model_signing's" "$assent" proof verify-model --model "$sample/sample_model" --key "$sample/ec-p256-public.pem" "$sample/$2"
done
echo "proof-interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
