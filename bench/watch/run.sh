#!/bin/sh
# run.sh: instructions (callgrind) and CPU µs per trail row of the watch evaluator's trail ingestion
# (lc_watch_flush over ROWS fresh rows), for bench/ddb's GetItem load and a mixed load, and per
# lc_watch_dims_key call. Builds from the sources with -O2 (no build directory needed).
#   sh bench/watch/run.sh [ROWS=10000] [SHAPES="get mixed"]
# Set KEEP=dir to keep the binary, the states (dump them with `ingestbench dump DIR`) and the
# callgrind files in dir. SRC=dir builds src/watch from another tree (to measure a baseline).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
src=${SRC:-$root/src}
rows=${1:-10000}
shapes=${2:-"get mixed"}
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
cc -std=c17 -O2 -g -DNDEBUG -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -I"$root/include" -I"$src" -I"$root/src" \
   -o "$work/ingestbench" "$root/bench/watch/ingestbench.c" "$src"/watch/*.c "$root"/src/store/*.c \
   "$root"/src/iam/*.c "$root"/src/base/*.c \
   $(pkg-config --cflags --libs jansson sqlite3 libcrypto zlib) -lpthread -lm
for shape in $shapes; do
  rm -rf "$work/state.$shape"
  timeout 300 "$work/ingestbench" run "$work/state.$shape" "$shape" "$rows"
done
timeout 300 "$work/ingestbench" dims 200000
if command -v valgrind >/dev/null; then
  for shape in $shapes; do
    rm -rf "$work/cgstate.$shape"
    timeout 600 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/cg.$shape" \
      "$work/ingestbench" run "$work/cgstate.$shape" "$shape" "$rows" >/dev/null 2>&1
    ir=$(sed -n 's/^summary: //p' "$work/cg.$shape")
    echo "$shape: $((ir / rows)) instructions/trail row (callgrind, $rows rows)"
  done
  timeout 600 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/cg.dims" \
    "$work/ingestbench" dims 20000 >/dev/null 2>&1
  ir=$(sed -n 's/^summary: //p' "$work/cg.dims")
  echo "lc_watch_dims_key (2 dimensions): $((ir / 20000)) instructions/call (callgrind)"
fi
