#!/usr/bin/env bash
# bench/run.sh: runs every bench/*/run.sh present, one after the other.
set -euo pipefail
cd "$(dirname "$0")"
status=0
for b in */run.sh; do
  echo "== bench/$b"
  bash "$b" || status=1
done
exit $status
