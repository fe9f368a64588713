#!/usr/bin/env bash
# schemathesis against `assent serve`'s own /openapi.json, with an admin token, on a ledger with a
# consent, samples and a model: a bounded number of generated requests per operation, and no answer
# may be a 5xx (the server's log is searched for one too). Also checks that the served document is
# the one generated from Schemas/openapi.yaml.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
assent="${1:-$root/.build/debug/assent}"
"$root/.venv/bin/python" "$root/Tools/generate_openapi.py" --check
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
ledger="$work/ledger"
"$assent" init --ledger "$ledger" > /dev/null
"$assent" consent grant --ledger "$ledger" --subject alice@example.org --purpose ai-training --id c-alice > /dev/null
head -n 80 "$root/Tools/datasets/digits/digits-train.jsonl" | "$root/.venv/bin/python" -c '
import json, sys
for index, line in enumerate(sys.stdin):
    fields = {"text": line.rstrip("\n"), "license": "CC-BY-4.0", "source": "digits"}
    if index % 2 == 0:
        fields.update(subject="alice@example.org", consent="c-alice")
    print(json.dumps(fields))' > "$work/manifest.jsonl"
"$assent" ingest "$work/manifest.jsonl" --ledger "$ledger" --quiet > /dev/null
"$assent" train --trainer naive-bayes --shards 2 --ledger "$ledger" --quiet > /dev/null
token=$("$assent" tokens create --ledger "$ledger" --role admin | cut -d' ' -f1)
"$assent" serve --ledger "$ledger" --listen 127.0.0.1:0 > "$work/server.out" 2> "$work/server.log" &
server=$!
for _ in $(seq 1 100); do grep -q listening "$work/server.out" && break; sleep 0.1; done
url=$(sed -n 's/listening on //p' "$work/server.out")
[ -n "$url" ] || { echo "schemathesis: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$root/Tools/checks" \
  "$root/.venv/bin/schemathesis" run "$url/openapi.json" --checks not_a_server_error --max-examples 20 \
  --seed 1 -H "Authorization: Bearer $token" --no-color > "$work/report.txt" 2>&1 || {
  cat "$work/report.txt"
  echo "schemathesis: failures (above)" >&2
  exit 1
}
if grep -q 'status=5' "$work/server.log"; then
  grep 'status=5' "$work/server.log" | head -5
  echo "schemathesis: the server answered 5xx" >&2
  exit 1
fi
requests=$(grep -c ' request$' "$work/server.log" || true)
grep -E "generated|passed" "$work/report.txt" | tail -1
echo "schemathesis: no 5xx in $requests requests"
