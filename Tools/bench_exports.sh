#!/usr/bin/env bash
# Times every export and the explorer's pages on a generated ledger of N samples (default 100,000):
# crawled samples from 500 registrable domains, public and synthetic ones, a tenth of them under
# consents, a naive-Bayes model on 16 shards and one reproduction after a withdrawal.
#
#   bash Tools/bench_exports.sh [N]     (builds release; prints one line per step: seconds)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
samples="${1:-100000}"
swift build -c release --product assent >/dev/null
swift build -c release --product assent-server >/dev/null
assent="$root/.build/release/assent"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export ASSENT_LEDGER="$work/ledger"
"$assent" init --origin bench.example/exports >/dev/null
for subject in $(seq 0 99); do
  "$assent" consent grant --subject "person-$subject@example.org" --purpose ai-training --id "c-$subject" >/dev/null
done
python3 - "$samples" > "$work/manifest.jsonl" <<'PY'
import json, random, sys
random.seed(7)
for index in range(int(sys.argv[1])):
    features = [index % 17] + [random.randrange(17) for _ in range(63)]
    line = {"text": json.dumps({"features": features, "label": index % 10}), "license": "CC-BY-4.0",
            "media_type": "application/json", "language": ["en", "de", "fr"][index % 3], "size_value": 64,
            "size_unit": "tokens", "collected_at": f"2025-{1 + index % 12:02d}-01T00:00:00Z"}
    kind = index % 4
    if kind < 2:
        line.update(source="web-crawl", source_uri=f"https://www.site{index % 500}.example.com/{index}")
    elif kind == 2:
        line.update(source="public-set")
    else:
        line.update(source="synthetic")
    if index % 10 == 0:
        line.update(subject=f"person-{index % 100}@example.org", consent=f"c-{index % 100}")
    print(json.dumps(line))
PY
step() {
  local name="$1"; shift
  local started; started=$(date +%s.%N)
  "$@" >/dev/null
  printf '%-46s %6.2f s\n' "$name" "$(echo "$(date +%s.%N) - $started" | bc)"
}
step "ingest $samples samples" "$assent" ingest "$work/manifest.jsonl" --quiet
"$assent" source set web-crawl --category crawled --crawler BenchBot/1.0 >/dev/null
"$assent" source set public-set --category public >/dev/null
"$assent" source set synthetic --category synthetic --generator gen-1 >/dev/null
step "train naive-bayes, 16 shards" "$assent" train --trainer naive-bayes --shards 16 --quiet
step "withdraw one subject and reproduce" "$assent" revoke --subject person-10@example.org --reproduce
model=$("$assent" models --json | python3 -c 'import json,sys; print([m["model"] for m in json.load(sys.stdin)["models"] if not m["stale"]][0])')
snapshot=$("$assent" models --json | python3 -c 'import json,sys; print([m["snapshot"] for m in json.load(sys.stdin)["models"] if not m["stale"]][0])')
printf '{"name":"Bench","contact":"b@example.org","placement_date":"2026-01-01","code_of_practice_signatory":true}\n' > "$work/provider.json"
step "export ai-act-summary" "$assent" export ai-act-summary "$model" --provider "$work/provider.json" --out "$work/summary"
step "export gdpr-art30" "$assent" export gdpr-art30 --out "$work/art30"
step "export spdx" "$assent" export spdx "$model" --out "$work/model.spdx3.json"
step "export cyclonedx" "$assent" export cyclonedx "$model" --out "$work/model.cdx.json"
step "export croissant" "$assent" export croissant "$snapshot" --out "$work/croissant.json"
step "lineage --format svg" "$assent" lineage "$model" --format svg
"$assent" serve --listen 127.0.0.1:0 --public-explorer > "$work/server.out" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do grep -q listening "$work/server.out" && break; sleep 0.1; done
url=$(sed -n 's/listening on //p' "$work/server.out")
for path in / /log "/log/$((samples / 2))" "/models/$model" "/models?stale=1"; do
  step "GET $path" curl -sf -o /dev/null "$url$path"
done
