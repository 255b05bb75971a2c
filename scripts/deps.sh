#!/usr/bin/env bash
# Installs what leastcloud needs on a fresh Debian 12 machine, and nothing that is already there.
# Idempotent: safe to call from `make test`, `make demo` and CI on every run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config clang libclang-rt-dev
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev libyaml-dev libzip-dev libcmocka-dev
  zlib1g-dev awscli wrk nginx-light python3-pytest python3-boto3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages are pinned by package-lock.json; `npm ci` only when the lock changed.
if [ -f package-lock.json ]; then
  stamp=node_modules/.lc-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "deps: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    cp package-lock.json "$stamp"
  fi
fi
