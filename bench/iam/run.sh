#!/bin/sh
# run.sh: leastcloud's IAM engine vs npm @cloud-copilot/iam-simulate on the same cases, one
# process each, and the ratio. Builds the C side with -O2 from the sources (no build directory
# needed); the oracle runs from node_modules.   sh bench/iam/run.sh [SECONDS]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c17 -O2 -DNDEBUG -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -I"$root/include" -I"$root/src" \
   -o "$work/bench_iam" "$root/bench/iam/bench_iam.c" "$root"/src/iam/*.c "$root"/src/base/*.c \
   $(pkg-config --cflags --libs jansson libcrypto zlib 2>/dev/null || pkg-config --cflags --libs jansson libcrypto) -lpthread -lm
node "$root/bench/iam/gen_bench_cases.js" "$work"
for set in read wide random; do
  ours=$("$work/bench_iam" "$work/$set.jsonl" "$secs")
  theirs=$(NODE_PATH="$root/node_modules" node "$root/bench/iam/bench_oracle.js" "$work/$set.jsonl" "$secs")
  node -e '
    const o = JSON.parse(process.argv[1]), t = JSON.parse(process.argv[2]);
    console.log(`${process.argv[3].padEnd(7)} leastcloud ${Math.round(o.eval_per_second).toLocaleString("en")} decisions/s ` +
      `(${o.ns_per_decision} ns), cold parse+compile+eval ${Math.round(o.cold_per_second).toLocaleString("en")}/s | ` +
      `iam-simulate ${Math.round(t.per_second).toLocaleString("en")}/s (${t.run_unsafe_simulation_per_second ? "runUnsafeSimulation" : "runSimulation"}) | ratio ${(o.eval_per_second / t.per_second).toFixed(0)}x ` +
      `(cold ${(o.cold_per_second / t.per_second).toFixed(1)}x)`);' "$ours" "$theirs" "$set"
done
