#!/usr/bin/env bash
# Regenerates the fuzzers' seed corpora and fixture from a fresh demo ledger.
#
#   bash Tools/fuzz/make-seeds.sh [path/to/assent]
#
# The seeds and the fixture belong together (the proofs are signed by the fixture's keys), so they are
# always replaced as a whole. The fixture's clock is the time the proofs were made, so that status
# attestations stay within their validity when the fuzzers verify them later.
set -euo pipefail
cd "$(dirname "$0")/../.."
assent=${1:-.build/debug/assent}
[ -x "$assent" ] || { echo "make-seeds: $assent not found; run swift build first" >&2; exit 1; }
fuzz=Tools/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$assent" demo --dir "$work/demo" >/dev/null
ledger="$work/demo/ledger"
model_id() { # $1: stale or current
    "$assent" models --ledger "$ledger" --json | python3 -c '
import json, sys
models = json.load(sys.stdin)["models"]
print(next(m["model"] for m in models if m["stale"] == (sys.argv[1] == "stale")))' "$1"
}
current=$(model_id current)
"$assent" prove "$current" --ledger "$ledger" --bundle "$work/current.bundle.json" >/dev/null

rm -rf "$fuzz/seeds" "$fuzz/fixture"
mkdir -p "$fuzz"/seeds/{license-expression,canonical-json,signed-note,tlog-proof,dsse,proof-bundle} \
    "$fuzz/fixture/entries"

# Licence expressions: valid forms of every construct and the classic mistakes.
n=0
while IFS= read -r expression; do
    n=$((n + 1))
    printf '%s' "$expression" >"$fuzz/seeds/license-expression/$(printf '%02d' $n).txt"
done <<'LIST'
MIT
mit
Apache-2.0 OR MIT
GPL-2.0-or-later WITH Classpath-exception-2.0
(MIT AND BSD-3-Clause) OR Apache-2.0
LGPL-2.1+
GPL-2.0
LicenseRef-Proprietary
DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2
MIT WITH AdditionRef-custom-exception
NONE
NOASSERTION AND MIT
CC-BY-4.0 and cc-by-sa-4.0
((MIT))
MIT AND (Apache-2.0 OR (BSD-2-Clause AND ISC))
MIT OR
(MIT
Classpath-exception-2.0
MIT WITH Apache-2.0
licenseref-lowercase
Apache-2
MIT OR NONE
LIST

# Canonical JSON: log entries of every type, manifest lines, policies, receipts, envelopes.
"$assent" log entries --ledger "$ledger" >"$work/entries.jsonl"
python3 - "$work/entries.jsonl" "$fuzz/seeds/canonical-json" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1], encoding="utf-8"):
    kind = json.loads(line)["type"]
    if seen.get(kind, 0) < 2:
        seen[kind] = seen.get(kind, 0) + 1
        name = f"{sys.argv[2]}/entry-{kind}-{seen[kind]}.json"
        open(name, "w", encoding="utf-8").write(line.rstrip("\n"))
PY
head -n 2 "$work/demo/digits-train.manifest.jsonl" | split -l 1 - "$fuzz/seeds/canonical-json/manifest-"
cp Schemas/policy-default.json "$fuzz/seeds/canonical-json/policy.json"
cp "$ledger/trust.json" "$fuzz/seeds/canonical-json/trust.json"

# Signed notes: checkpoints of several sizes.
for proof in proof-before-revocation proof-stale-model proof-reproduced-model; do
    cp "$work/demo/$proof/checkpoint" "$fuzz/seeds/signed-note/$proof.checkpoint"
    for file in "$work/demo/$proof"/*.tlog-proof "$work/demo/$proof"/entries/*.tlog-proof; do
        cp "$file" "$fuzz/seeds/tlog-proof/$proof-$(basename "$file")"
    done
    cp "$work/demo/$proof"/entries/*.entry "$fuzz/fixture/entries/"
    for file in "$work/demo/$proof"/*.dsse.json "$work/demo/$proof/model.sig"; do
        cp "$file" "$fuzz/seeds/dsse/$proof-$(basename "$file")"
    done
done

# Proof bundles: the current model's, which verifies, and a stale model's, which must not.
cp "$work/current.bundle.json" "$fuzz/seeds/proof-bundle/current.json"
stale=$(model_id stale)
"$assent" prove "$stale" --ledger "$ledger" --bundle "$fuzz/seeds/proof-bundle/stale.json" >/dev/null
# One seed per file of the current bundle: a selector byte (the file's place in sorted order), then the
# file itself, which FuzzProofBundle puts back into the bundle in place of the original.
python3 - "$fuzz/seeds/proof-bundle" <<'PY'
import base64, json, sys
folder = sys.argv[1]
files = json.load(open(f"{folder}/current.json"))["files"]
for index, name in enumerate(sorted(files)):
    with open(f"{folder}/file-{index:02d}", "wb") as out:
        out.write(bytes([index]) + base64.b64decode(files[name]))
PY

# The fixture: the keys the proofs are signed with, the current model and the proofs' clock.
cp "$ledger/log.vkey" "$ledger/signing-key.pub.pem" "$ledger/trust.json" "$fuzz/fixture/"
cp -R "$ledger/models/${current#sha256:}" "$fuzz/fixture/model"
printf '%s\n' "$current" >"$fuzz/fixture/model-id"
date -u +%Y-%m-%dT%H:%M:%SZ >"$fuzz/fixture/now"
echo "make-seeds: $(find "$fuzz/seeds" -type f | wc -l) seeds, fixture model $current"
