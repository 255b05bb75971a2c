#!/usr/bin/env bash
# tests/fuzz/run.sh (`make fuzz`): builds every libFuzzer target with clang + ASan + UBSan in
# build-fuzz/ and runs each on its committed corpus for FUZZ_SECONDS (default 60). New inputs go to
# a scratch folder; merge them into tests/fuzz/<target>/corpus by hand with -merge=1 when useful.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DLC_FUZZ=ON -DLC_SANITIZE=ON >/dev/null
status=0
for dir in tests/fuzz/*/; do
  name=$(basename "$dir")
  target=fuzz_$name
  cmake --build build-fuzz -j"$(nproc)" --target "$target" >/dev/null
  bin=$(find build-fuzz -type f -name "$target" -perm -u+x | head -n 1)
  scratch=$(mktemp -d)
  echo "== $target: $seconds s on ${dir%/}/corpus"
  if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 "$scratch" "${dir%/}/corpus" 2>&1 | tail -n 4; then
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
