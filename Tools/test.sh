#!/usr/bin/env bash
# The test suite: set up, run the Swift tests (debug build; the records, engine, proofs and CLI
# suites a second time on PostgreSQL, in a throwaway server on 127.0.0.1), then the checks against independent
# implementations (Go's sumdb/note and sumdb/tlog, license-expression, the JSON Schemas, the exports
# against the SPDX, CycloneDX and Croissant validators), the
# README's runnable examples, per-shard training locally and on a local Ray cluster, the tiles
# export against tlog-scales, schemathesis against the server, the explorer in headless Chromium,
# the server under load and killed,
# the concurrency check (on SQLite and on PostgreSQL) and short runs of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift format lint -r Sources Tests Tools
swift build --build-tests
# A throwaway PostgreSQL server on 127.0.0.1 for the backend's tests, stopped (by its PID) on exit.
postgres=$(mktemp -d)
trap 'bash Tools/postgres_cluster.sh stop "$postgres"' EXIT
ASSENT_TEST_POSTGRES=$(bash Tools/postgres_cluster.sh start "$postgres")
export ASSENT_TEST_POSTGRES
swift test --skip-build 2>&1 | tee "$postgres/swift-test.log"
test "${PIPESTATUS[0]}" -eq 0
grep -q "Suite PostgresConnectionTests passed" "$postgres/swift-test.log" \
  || { echo "test: the PostgreSQL tests did not run" >&2; exit 1; }
# The records, engine, proofs and CLI suites again, every ledger on PostgreSQL.
ASSENT_TEST_BACKEND=postgresql swift test --skip-build --filter "AssentRecordsTests|AssentEngineTests|AssentProofsTests|AssentCLITests|AssentServerTests"
bash Tools/interop/go-interop.sh
bash Tools/interop/proof-interop.sh
bash Tools/check_readme.sh
bash Tools/checks/sklearn_per_shard.sh .build/debug/assent
bash Tools/checks/ray_runner.sh .build/debug/assent
.venv/bin/python Tools/spdx/crosscheck.py .build/debug/assent
.venv/bin/python Tools/checks/validate_schemas.py .build/debug/assent
.venv/bin/python Tools/checks/exports.py .build/debug/assent
.venv/bin/python Tools/checks/tlog_tiles.py .build/debug/assent
bash Tools/checks/schemathesis.sh .build/debug/assent
.venv/bin/python Tools/checks/serve_tls.py .build/debug/assent
.venv/bin/python Tools/checks/witness.py .build/debug/assent
# The explorer in headless Chromium; screenshots in artifacts/explorer.
.venv/bin/python Tools/checks/explorer.py .build/debug/assent
# The server under load (8 clients, revocations interleaved) and killed under load, on both backends.
.venv/bin/python Tools/guarantees/http_load.py .build/debug/assent
psql -q "$ASSENT_TEST_POSTGRES" -c "CREATE SCHEMA http_load"
.venv/bin/python Tools/guarantees/http_load.py .build/debug/assent \
  --database "$ASSENT_TEST_POSTGRES?options=-csearch_path%3Dhttp_load"
.venv/bin/python Tools/guarantees/concurrency.py .build/debug/assent --writers 3 --samples 1000
.venv/bin/python Tools/guarantees/concurrency.py .build/debug/assent --writers 3 --samples 1000 \
  --database "$ASSENT_TEST_POSTGRES"
# SIGKILL mid-ingest, mid-revoke, mid-snapshot and mid-train, on SQLite and on PostgreSQL (a schema of its own).
.venv/bin/python Tools/guarantees/crash_harness.py .build/debug/assent --kills 12
psql -q "$ASSENT_TEST_POSTGRES" -c "CREATE SCHEMA crash_harness"
.venv/bin/python Tools/guarantees/crash_harness.py .build/debug/assent --kills 12 \
  --database "$ASSENT_TEST_POSTGRES?options=-csearch_path%3Dcrash_harness"
# The binary does not need libpq unless a ledger is on PostgreSQL.
if ldd .build/debug/assent | grep -q libpq; then echo "test: assent links libpq at load time" >&2; exit 1; fi
bash Tools/fuzz/run.sh --seconds 15
