#!/bin/sh
# run.sh: CPU µs and instructions (callgrind) per lc_auth_verify call on bench/ddb's GetItem
# request (Authorization header) and on a presigned URL, through the signing-key cache.
# Builds from the sources with -O2, or with $OPT (OPT=-O0 counts what a Debug build's server does);
# no build directory needed. Under valgrind, SHA-256 runs without SHA-NI, so its ten blocks per
# GetItem weigh ~20k of the instructions; natively they are a small part of the time.
#   sh bench/auth/run.sh [CALLS=200000]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
calls=${1:-200000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c17 ${OPT:--O2} -g -DNDEBUG -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -I"$root/include" -I"$root/src" \
   -o "$work/bench_auth" "$root/bench/auth/bench_auth.c" "$root"/src/auth/*.c "$root"/src/base/*.c \
   $(pkg-config --cflags --libs jansson libcrypto zlib) -lpthread -lm
for mode in getitem presigned; do
  timeout 300 "$work/bench_auth" "$mode" "$calls"
done
if command -v valgrind >/dev/null; then
  n=2000
  for mode in getitem presigned; do
    timeout 600 valgrind --tool=callgrind --collect-atstart=no --toggle-collect=lc_auth_verify \
      --callgrind-out-file="$work/cg.$mode" "$work/bench_auth" "$mode" "$n" >/dev/null 2>&1
    ir=$(sed -n 's/^summary: //p' "$work/cg.$mode")
    echo "$mode: $((ir / n)) instructions/verify (callgrind, $n calls)"
  done
fi
