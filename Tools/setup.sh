#!/usr/bin/env bash
# Installs what Assent needs on a fresh Debian machine with Swift: the C libraries it links and the
# tools its interop tests run. Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(libsqlite3-dev libssl-dev pkg-config golang-go golang-golang-x-mod-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
