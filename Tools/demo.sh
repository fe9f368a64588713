#!/usr/bin/env bash
# The main job: set up, build, and run the end-to-end demo in ./assent-demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift build -c release --product assent >/dev/null
.build/release/assent demo "$@"
