#!/usr/bin/env bash
# Runs every fenced block of README.md that follows a `<!-- runnable -->` line, in a fresh folder
# that sees the repository's Tools/ and Schemas/, with the debug build and .venv on the PATH, so the
# README's examples cannot drift from the product. Prints one line per block and a closing count.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary_dir="${ASSENT_BIN_DIR:-$root/.build/debug}"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
awk -v dir="$work" '
  /^<!-- runnable -->$/ { armed = 1; next }
  armed && /^```/ && !inside { inside = 1; count++; file = dir "/block-" count ".sh"; next }
  inside && /^```$/ { inside = 0; armed = 0; close(file); next }
  inside { print > file }
' "$root/README.md"
passed=0
failed=0
for block in "$work"/block-*.sh; do
  [ -e "$block" ] || { echo "readme-examples: no runnable block found" >&2; exit 1; }
  folder="$work/run-$(basename "$block" .sh)"
  mkdir -p "$folder"
  ln -s "$root/Tools" "$folder/Tools"
  ln -s "$root/Schemas" "$folder/Schemas"
  if (cd "$folder" && PATH="$binary_dir:$root/.venv/bin:$PATH" bash -euo pipefail "$block") >"$folder.log" 2>&1; then
    echo "ok    README block $(basename "$block" .sh)"
    passed=$((passed + 1))
  else
    echo "FAIL  README block $(basename "$block" .sh); its output:"
    sed 's/^/    /' "$folder.log"
    failed=$((failed + 1))
  fi
done
echo "readme-examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
