#!/usr/bin/env bash
# bench/synth: our synth of the seed stack (the compiled C app, compile excluded) against
# `npx cdk synth` of the same stack (the blog's JavaScript app), side by side, as a ratio.
# Usage: bench/synth/run.sh [RUNS]   (default 10; needs `make` and the npm packages)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${LC_BUILD_DIR:-$root/build}
runs=${1:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$build/leastcloud" ] && [ -x "$build/seed_stack" ] || { echo "build first: make" >&2; exit 1; }
ref=$root/tests/data/cdk-reference/seed
js=$tmp/js
mkdir -p "$js"
cp "$root/examples/seed/functionLocation" -r "$js/"
if [ -f "$ref/app.js" ]; then cp "$ref/app.js" "$js/"; else echo "missing $ref/app.js" >&2; exit 1; fi
printf '{"app": "node app.js"}\n' > "$js/cdk.json"
ln -s "$root/node_modules" "$js/node_modules"
export CDK_HOME=$tmp/cdk-home AWS_REGION=us-east-1 NO_COLOR=1

# median of the wall times (ms) of `runs` runs of a command, after one warm-up run
measure() {
  local dir=$1; shift
  (cd "$dir" && "$@" >/dev/null 2>&1) || { echo "failed: $*" >&2; exit 1; }
  local times=()
  for ((i = 0; i < runs; i++)); do
    local t0=$(date +%s%N)
    (cd "$dir" && "$@" >/dev/null 2>&1)
    local t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f\n", m/1000}'
}

ours_app=$(LC_BUILD_DIR=$build measure "$root/examples/seed" env CDK_OUTDIR="$tmp/ours-app" "$build/seed_stack")
ours_cli=$(LC_BUILD_DIR=$build measure "$root/examples/seed" "$build/leastcloud" synth -q -o "$tmp/ours-cli")
cdk_cli=$(measure "$js" "$root/node_modules/.bin/cdk" synth -q -o "$tmp/cdk-cli")
cdk_app=$(measure "$js" env CDK_OUTDIR="$tmp/cdk-app" node app.js)

printf '%-46s %12s\n' "seed stack synth, median of $runs runs" "wall ms"
printf '%-46s %12s\n' "leastcloud: seed_stack (the app alone)" "$ours_app"
printf '%-46s %12s\n' "leastcloud synth (CLI + app)" "$ours_cli"
printf '%-46s %12s\n' "node app.js (the CDK app alone)" "$cdk_app"
printf '%-46s %12s\n' "npx cdk synth (CLI + app)" "$cdk_cli"
awk -v a="$ours_cli" -v b="$cdk_cli" -v c="$ours_app" -v d="$cdk_app" 'BEGIN {
  printf "ratio CLI (cdk synth / leastcloud synth):  %.0fx\n", b / a
  printf "ratio app (node app.js / seed_stack):      %.0fx\n", d / c }'
