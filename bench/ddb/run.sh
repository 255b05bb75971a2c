#!/usr/bin/env bash
# bench/ddb/run.sh: DynamoDB GetItem, Query (100 items), PutItem and Scan (100 items) requests/s,
# p50/p99 and server CPU microseconds per request, with SigV4 + IAM on (a non-root user whose policy
# is evaluated on every request), side by side with dynalite (no auth) and moto server on the same
# data, and nginx returning a fixed body as the ceiling. leastcloud's unsigned health probe is the
# floor under its API calls (HTTP and the reply, nothing else). Every server is started here, on free
# loopback ports, and stopped by PID; every run is bounded in time.
#
#   bench/ddb/run.sh [--items N] [--duration S] [--connections C] [--only leastcloud,dynalite,moto,nginx]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ITEMS=100000 DURATION=10 CONNS=8 ONLY=leastcloud,dynalite,moto,nginx
while (($#)); do
  case $1 in
    --items) ITEMS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "usage: $0 [--items N] [--duration S] [--connections C] [--only list]" >&2; exit 2 ;;
  esac
done
BUILD=${LC_BENCH_BUILD:-build}
[ -x "$BUILD/leastcloud" ] || { echo "bench: build first (make)" >&2; exit 1; }
[ -x "$BUILD/tests/lc_test_principal" ] || cmake --build "$BUILD" --target lc_test_principal >/dev/null
WORK=$(mktemp -d /tmp/lc_bench_ddb.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
TICK=$(getconf CLK_TCK)
RESULTS=$WORK/results.txt
: >"$RESULTS"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
wait_http() {
  for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench: $1 did not come up" >&2; return 1
}

# run_wrk NAME OP URL SCRIPT [SCRIPT_ARG]; CPU of the PIDs in $CPU_PIDS
run_wrk() {
  local name=$1 op=$2 url=$3 script=$4 arg=${5:-}; shift 3
  local before after out reqs rps p50 p99
  before=$(cpu_ticks $CPU_PIDS)
  out=$(timeout $((DURATION + 20)) wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$script" "$url" -- $arg 2>&1) || true
  after=$(cpu_ticks $CPU_PIDS)
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local non2xx; non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  local us="-"
  [ -n "$reqs" ] && [ "$reqs" -gt 0 ] && us=$(( (after - before) * 1000000 / TICK / reqs ))
  printf '%-11s %-8s %10s %9s %9s %9s %s\n' "$name" "$op" "${rps:--}" "${p50:--}" "${p99:--}" "$us" \
    "${non2xx:+($non2xx non-2xx)}" | tee -a "$RESULTS"
}

bench_ddb() { # NAME URL KEY SECRET
  local name=$1 url=$2 key=$3 secret=$4
  for op in GetItem Query PutItem Scan; do
    python3 bench/ddb/bench_tool.py sign "$url" "$key" "$secret" "$op" 2000 "$WORK/$op.lua"
    run_wrk "$name" "$op" "$url/" bench/ddb/rotate.lua "$WORK/$op.lua"
  done
}

printf '%-11s %-8s %10s %9s %9s %9s\n' server op "req/s" p50 p99 "cpu-us/req" | tee -a "$RESULTS"

if [[ ,$ONLY, == *,leastcloud,* ]]; then
  port=$(free_port)
  LEASTCLOUD_LOG=warn "$BUILD/leastcloud" --state "$WORK/lc" serve --port "$port" >"$WORK/lc.log" 2>&1 &
  lc_pid=$!; PIDS+=("$lc_pid")
  wait_http "http://127.0.0.1:$port/"
  key=$(awk '/aws_access_key_id/ {print $3}' "$WORK/lc/credentials")
  secret=$(awk '/aws_secret_access_key/ {print $3}' "$WORK/lc/credentials")
  timeout 900 python3 bench/ddb/bench_tool.py load "http://127.0.0.1:$port" "$key" "$secret" "$ITEMS"
  # A non-root caller, so IAM evaluates a policy on every request.
  cat >"$WORK/policy.json" <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/bench"}]}
JSON
  creds=$("$BUILD/tests/lc_test_principal" "$WORK/lc" user bench-user "$WORK/policy.json")
  ukey=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["AccessKeyId"])' "$creds")
  usecret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["SecretAccessKey"])' "$creds")
  CPU_PIDS=$lc_pid bench_ddb leastcloud "http://127.0.0.1:$port" "$ukey" "$usecret"
  CPU_PIDS=$lc_pid run_wrk leastcloud health "http://127.0.0.1:$port/" bench/ddb/health.lua
  kill -TERM "$lc_pid"; wait "$lc_pid" || true
fi

if [[ ,$ONLY, == *,dynalite,* ]]; then
  port=$(free_port)
  node node_modules/dynalite/cli.js --port "$port" --createTableMs 0 >"$WORK/dynalite.log" 2>&1 &
  dl_pid=$!; PIDS+=("$dl_pid")
  wait_http "http://127.0.0.1:$port/"
  timeout 900 python3 bench/ddb/bench_tool.py load "http://127.0.0.1:$port" AKIDBENCH secret "$ITEMS"
  CPU_PIDS=$dl_pid bench_ddb dynalite "http://127.0.0.1:$port" AKIDBENCH secret
  kill "$dl_pid"; wait "$dl_pid" || true
fi

if [[ ,$ONLY, == *,moto,* ]]; then
  port=$(free_port)
  python3 -m moto.server -p "$port" >"$WORK/moto.log" 2>&1 &
  mo_pid=$!; PIDS+=("$mo_pid")
  wait_http "http://127.0.0.1:$port/moto-api/"
  if timeout 1200 python3 bench/ddb/bench_tool.py load "http://127.0.0.1:$port" AKIDBENCH secret "$ITEMS"; then
    CPU_PIDS=$mo_pid bench_ddb moto "http://127.0.0.1:$port" AKIDBENCH secret
  else
    echo "moto: loading $ITEMS items did not finish in 20 minutes" | tee -a "$RESULTS"
  fi
  kill "$mo_pid"; wait "$mo_pid" || true
fi

if [[ ,$ONLY, == *,nginx,* ]]; then
  port=$(free_port)
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/x-amz-json-1.0; return 200 '{"Item":{"p":{"S":"p00001"}}}'; }
  }
}
CONF
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.log" 2>&1 &
  ng_pid=$!; PIDS+=("$ng_pid")
  wait_http "http://127.0.0.1:$port/"
  CPU_PIDS="$ng_pid $(pgrep -P "$ng_pid" | tr '\n' ' ')" run_wrk nginx fixed "http://127.0.0.1:$port/" bench/ddb/fixed.lua
  kill "$ng_pid"; wait "$ng_pid" || true
fi

mkdir -p bench/ddb/results
cp "$RESULTS" "bench/ddb/results/$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: results in bench/ddb/results/"
