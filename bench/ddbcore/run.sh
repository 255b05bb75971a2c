#!/bin/sh
# run.sh: instructions (callgrind) and CPU µs per call of the DynamoDB data plane in process
# (lc_ddb_auth_checks + lc_ddb_call_text) on a 20,000-item table shaped like bench/ddb's.
# Builds from the sources with -O2 (no build directory needed).
#   sh bench/ddbcore/run.sh [CALLS=2000] [OPS="auth GetItem Query Scan"]
# Set KEEP=dir to keep the binary, the state and the callgrind files in dir.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
calls=${1:-2000}
ops=${2:-"auth GetItem Query Scan"}
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
cc -std=c17 -O2 -g -DNDEBUG -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -I"$root/include" -I"$root/src" \
   -o "$work/ddbcore" "$root/bench/ddbcore/ddbcore.c" "$root"/src/ddb/*.c "$root"/src/store/*.c "$root"/src/base/*.c \
   $(pkg-config --cflags --libs jansson sqlite3 libcrypto zlib) -lpthread -lm
rm -rf "$work/state"
timeout 300 "$work/ddbcore" load "$work/state" 20000
for op in $ops; do
  timeout 300 "$work/ddbcore" run "$work/state" "$op" "$calls"
done
if command -v valgrind >/dev/null; then
  for op in $ops; do
    n=$((calls / 4))
    timeout 600 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/cg.$op" \
      "$work/ddbcore" run "$work/state" "$op" "$n" >/dev/null 2>&1
    ir=$(sed -n 's/^summary: //p' "$work/cg.$op")
    echo "$op: $((ir / n)) instructions/call (callgrind, $n calls)"
  done
fi
