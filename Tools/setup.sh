#!/usr/bin/env bash
# Installs what Assent needs on a fresh Debian machine with Swift: the C libraries it links (SQLite,
# OpenSSL's libcrypto, libpq), the PostgreSQL server the backend's tests start, bubblewrap
# (the sandbox for external trainers), publicsuffix (the Public Suffix List), Chromium and chromedriver (the
# explorer's browser check), iproute2 (the Ray check's network namespace), the Go
# packages its interop check uses, wrk (the HTTP benchmark's load generator), and a Python virtual
# environment (.venv) with the pinned packages of Tools/requirements.txt. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libsqlite3-dev libssl-dev libpq-dev postgresql pkg-config golang-go golang-golang-x-mod-dev bubblewrap iproute2 curl publicsuffix chromium chromium-driver fonts-dejavu-core wrk)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
stamp=.venv/.requirements
if [ ! -x .venv/bin/python ] || ! cmp -s Tools/requirements.txt "$stamp"; then
  echo "setup: preparing .venv with Tools/requirements.txt" >&2
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -r Tools/requirements.txt
  cp Tools/requirements.txt "$stamp"
fi
