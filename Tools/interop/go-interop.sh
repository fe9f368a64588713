#!/usr/bin/env bash
# Checks Assent's auditor outputs with Go's sumdb/note and sumdb/tlog (Debian: golang-go,
# golang-golang-x-mod-dev): checkpoints open under `assent log key`, tlog-proofs verify for the bytes
# of `assent log entry N --raw`, consistency proofs verify between checkpoints, and tampered inputs fail.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
assent=${ASSENT:-"$here/../../.build/debug/assent"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS=
go build -o "$work/sumdb_check" "$here/sumdb_check.go"
check() { "$work/sumdb_check" "$@"; }
expect_fail() {
  if "$work/sumdb_check" "$@" 2>/dev/null; then echo "FAIL: Go accepted tampered input: $*"; exit 1; fi
}

ledger="$work/ledger"
"$assent" init --ledger "$ledger" --origin example.org/interop >/dev/null
"$assent" log key --ledger "$ledger" > "$work/vkey"
sizes=()
for batch in 1 2 3 4 5 6 7; do
  : > "$work/batch.jsonl"
  for i in $(seq 1 $((batch * 37))); do echo "{\"type\":\"note\",\"batch\":$batch,\"i\":$i}" >> "$work/batch.jsonl"; done
  "$assent" log append --ledger "$ledger" --jsonl "$work/batch.jsonl" >/dev/null
  size=$("$assent" log info --ledger "$ledger" --json | sed 's/.*"size":\([0-9]*\).*/\1/')
  sizes+=("$size")
  "$assent" log checkpoint --ledger "$ledger" > "$work/cp.$size"
done
last=${sizes[-1]}
check checkpoint "$work/vkey" "$work/cp.$last"
passed=1
for n in 0 1 36 37 255 256 257 511 $((last - 1)); do
  "$assent" log entry "$n" --raw --ledger "$ledger" > "$work/e.$n"
  "$assent" log prove "$n" --ledger "$ledger" > "$work/p.$n"
  check inclusion "$work/vkey" "$work/e.$n" "$work/p.$n" >/dev/null
  "$assent" log prove "$n" --size "$last" --ledger "$ledger" > "$work/p.$n"
  check inclusion "$work/vkey" "$work/e.$n" "$work/p.$n" >/dev/null
  passed=$((passed + 2))
done
for old in "${sizes[@]}"; do
  for new in "${sizes[@]}"; do
    if [ "$old" -lt "$new" ]; then
      "$assent" log consistency "$old" "$new" --ledger "$ledger" > "$work/c"
      check consistency "$work/vkey" "$work/cp.$old" "$work/cp.$new" "$work/c" >/dev/null
      passed=$((passed + 1))
    fi
  done
done
# Tampering: another entry's bytes, a changed proof hash, a checkpoint signed by another ledger.
expect_fail inclusion "$work/vkey" "$work/e.1" "$work/p.0"
awk 'NR==3 {held=$0; next} NR==4 {print; print held; next} {print}' "$work/p.37" > "$work/p.bad"
expect_fail inclusion "$work/vkey" "$work/e.37" "$work/p.bad"
"$assent" init --ledger "$work/other" --origin example.org/interop >/dev/null
expect_fail checkpoint "$work/vkey" "$("$assent" log checkpoint --ledger "$work/other" > "$work/cp.other"; echo "$work/cp.other")"
passed=$((passed + 3))
echo "go-interop: $passed passed, 0 failed"
