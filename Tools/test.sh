#!/usr/bin/env bash
# The test suite: set up, run the Swift tests (debug build), then the interop checks against Go's
# sumdb/note and sumdb/tlog.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift format lint -r Sources Tests Tools
swift build --build-tests
swift test --skip-build
bash Tools/interop/go-interop.sh
