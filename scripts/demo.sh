#!/usr/bin/env bash
# demo.sh: the seed scenario, narrated (`make demo`). Every command is printed before it runs; the
# script exits non-zero as soon as an expectation fails. Steps whose pieces have not landed yet say
# "not yet available" and are skipped, so the demo always shows as much as exists.
#
#   BUILD=build-foo bash scripts/demo.sh      # use another build folder (default: build)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
LC="$ROOT/$BUILD/leastcloud"
STATE=$(mktemp -d /tmp/leastcloud-demo-XXXXXX)
SERVER_PID=""
FAILED=0

if [ -t 1 ]; then B=$'\033[1m'; G=$'\033[32m'; R=$'\033[31m'; Y=$'\033[33m'; D=$'\033[2m'; N=$'\033[0m'
else B=""; G=""; R=""; Y=""; D=""; N=""; fi

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$STATE"
}
trap cleanup EXIT

step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say()  { printf '%s\n' "$*"; }
# Prints a command as a person would type it: arguments with spaces or shell characters in single quotes.
show() {
  local line="" a
  for a in "$@"; do
    case "$a" in
      *[!A-Za-z0-9_./:=@%+,-]*|"") line="$line '${a//\'/\'\\\'\'}'";;
      *) line="$line $a";;
    esac
  done
  printf '%s$%s%s\n' "$D" "$line" "$N"
}
# run CMD...: prints the command, runs it, keeps its output in $OUT and its status in $RC.
run() {
  show "$@"
  OUT=$("$@" 2>&1)
  RC=$?
  [ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/    /'
  return 0
}
ok()   { printf '  %s✔ %s%s\n' "$G" "$*" "$N"; }
fail() { printf '  %s✘ %s%s\n' "$R" "$*" "$N"; FAILED=1; exit 1; }
skip() { printf '  %s… not yet available: %s%s\n' "$Y" "$*" "$N"; }
expect_rc()       { [ "$RC" -eq "$1" ] && ok "$2" || fail "$2 (exit status $RC, expected $1)"; }
expect_contains() { case "$OUT" in *"$1"*) ok "$2";; *) fail "$2 (output lacks: $1)";; esac; }
# A service operation the local cloud does not implement yet answers UnknownOperationException.
unavailable()     { case "$OUT" in *UnknownOperation*|*"not available in this build"*|*"Could not connect"*) return 0;; esac; return 1; }

say "${B}leastcloud: the blog's least-privilege CDK stack, on a local cloud${N}"
say "State for this run: $STATE (deleted at the end)"

step "1. Build"
if [ -x "$LC" ]; then ok "$BUILD/leastcloud is built"; else fail "$BUILD/leastcloud is missing: run make"; fi
export LEASTCLOUD_STATE="$STATE"
export LC_BUILD_DIR="$ROOT/$BUILD"

step "2. Synthesize the stack written in C (examples/seed) into a cloud assembly"
cd "$ROOT/examples/seed" || fail "examples/seed is missing"
run "$LC" synth
if [ "$RC" -ne 0 ] && printf '%s' "$OUT" | grep -q "not available in this build"; then
  skip "leastcloud synth (the construct library issue)"
else
  expect_rc 0 "leastcloud synth wrote cdk.out/"
  [ -f cdk.out/SampleCDKStack.template.json ] && ok "cdk.out/SampleCDKStack.template.json exists" \
    || fail "no SampleCDKStack template in cdk.out"
fi

step "3. Start the local cloud"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ENDPOINT="http://127.0.0.1:$PORT"
printf '%s$ %s serve --port %s &%s\n' "$D" "$LC" "$PORT" "$N"
"$LC" serve --port "$PORT" >"$STATE/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do
  python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)))" 2>/dev/null && break
  sleep 0.1
done
if kill -0 "$SERVER_PID" 2>/dev/null && python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)))"; then
  ok "serving $ENDPOINT"
  SERVER=1
else
  skip "leastcloud serve (the local cloud server issue): $(head -c 200 "$STATE/serve.log")"
  SERVER_PID=""
  SERVER=0
fi
export AWS_ENDPOINT_URL="$ENDPOINT"

step "4. Deploy it"
say "First, --strict (in a scratch state) refuses nodejs14.x as AWS does today, and rolls back:"
run "$LC" --state "$STATE/strict" deploy --strict
[ "$RC" -ne 0 ] && ok "refused (exit $RC)" || fail "--strict deployed nodejs14.x"
expect_contains "The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions." \
  "AWS's InvalidParameterValueException text"
expect_contains "ROLLBACK_COMPLETE" "the stack rolled back (its table is kept, DeletionPolicy Retain, as on AWS)"
say "Without --strict the blog's nodejs14.x is accepted, with a warning naming AWS's dates:"
run "$LC" deploy
expect_rc 0 "SampleCDKStack deployed"
expect_contains "CREATE_COMPLETE" "every resource reported CREATE_COMPLETE"
expect_contains "2024-01-09" "the warning says AWS stopped accepting new nodejs14.x functions on 2024-01-09"
run "$LC" outputs SampleCDKStack --json
expect_rc 0 "the stack's outputs are readable"
KEY=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Outputs"]["accessToken"])')
SECRET=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Outputs"]["secretAccessToken"])')
[ -n "$KEY" ] && ok "accessToken = $KEY (read-table-user's key)" || fail "no accessToken output"

step "5. Use the printed key: reads succeed"
if [ "$SERVER" -eq 1 ]; then
  eval "$("$LC" env --endpoint-url "$ENDPOINT")"
  say "As the account's root, put one item so there is something to read:"
  run aws dynamodb put-item --table-name dynamoTable --item '{"timestamp": {"N": "1700000000"}, "message": {"S": "hello from the seed"}}'
  if unavailable; then
    skip "DynamoDB PutItem on the server (the DynamoDB issue)"
    DDB=0
  else
    expect_rc 0 "root wrote an item"
    DDB=1
    run env AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET" aws dynamodb scan --table-name dynamoTable
    expect_rc 0 "read-table-user scans the table"
    expect_contains "hello from the seed" "and reads the item"
    run env AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET" aws dynamodb get-item --table-name dynamoTable --key '{"timestamp": {"N": "1700000000"}}'
    expect_rc 0 "read-table-user gets the item"
  fi
else
  skip "reading through the server"
  DDB=0
fi

step "6. A write with the same key is denied, in AWS's words"
if [ "$DDB" -eq 1 ]; then
  run env AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET" aws dynamodb put-item --table-name dynamoTable --item '{"timestamp": {"N": "2"}}'
  [ "$RC" -ne 0 ] && ok "PutItem refused" || fail "read-table-user could write"
  expect_contains "AccessDeniedException" "AccessDeniedException"
  expect_contains "User: arn:aws:iam::000000000000:user/read-table-user is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable" \
    "the sentence names the user, the action and the table"
else
  skip "DynamoDB writes through the server"
fi

step "6b. Invoke the function: it reads the table with its role's temporary credentials"
if [ "$DDB" -eq 1 ]; then
  run aws lambda invoke --function-name read-function "$STATE/invoke.json"
  if unavailable || printf '%s' "$OUT" | grep -q "Unknown operation\|Could not connect\|404"; then
    skip "aws lambda invoke (the Lambda issue)"
  elif [ "$RC" -ne 0 ]; then
    skip "aws lambda invoke failed here (exit $RC): the Lambda runtime may lack node or @aws-sdk in this environment"
  else
    show cat "$STATE/invoke.json"
    OUT=$(cat "$STATE/invoke.json")
    printf '%s\n' "$OUT" | sed 's/^/    /'
    expect_contains "hello from the seed" "the handler scanned the table"
  fi
else
  skip "invoking needs DynamoDB on the server"
fi

step "6c. Watch: an alarm on reads by the leaked key (the blog's \"alert if the token may have leaked\")"
if [ "$DDB" -eq 1 ]; then
  USER_ARN=arn:aws:iam::000000000000:user/read-table-user
  run aws sns create-topic --name leaked-key-alerts
  TOPIC=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["TopicArn"])' 2>/dev/null)
  if [ -z "$TOPIC" ]; then
    skip "SNS and CloudWatch on the server (the watch work)"
  else
    run aws sns subscribe --topic-arn "$TOPIC" --protocol email --notification-endpoint security@example.com
    expect_rc 0 "security@example.com subscribed to $TOPIC"
    run aws cloudwatch put-metric-alarm --alarm-name leaked-key-reads --namespace LeastCloud/Access \
      --metric-name ReadRequests --dimensions Name=TableName,Value=dynamoTable "Name=PrincipalArn,Value=$USER_ARN" \
      --statistic Sum --period 60 --evaluation-periods 1 --threshold 20 \
      --comparison-operator GreaterThanThreshold --treat-missing-data notBreaching --alarm-actions "$TOPIC"
    expect_rc 0 "alarm: more than 20 reads a minute by read-table-user"
    # The reads must fall in one one-minute period for the datapoint to cross the threshold.
    sec=$(date +%S); sec=${sec#0}
    [ "$sec" -gt 50 ] && sleep $((61 - sec))
    say "Someone who found the key reads the table 30 times:"
    run env AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET" python3 -c '
import boto3
ddb = boto3.client("dynamodb")
for _ in range(30):
    ddb.get_item(TableName="dynamoTable", Key={"timestamp": {"N": "1700000000"}})
print("30 GetItem calls succeeded")'
    expect_rc 0 "30 reads with the leaked key"
    state=""
    for _ in $(seq 1 30); do
      run aws cloudwatch describe-alarms --alarm-names leaked-key-reads \
        --query 'MetricAlarms[0].[StateValue,StateReason]' --output text
      state=$OUT
      case "$state" in ALARM*) break;; esac
      sleep 1
    done
    case "$state" in ALARM*) ok "the alarm went to ALARM; its action publishes to $TOPIC";; *) fail "the alarm stayed ${state:-unknown}";; esac
  fi
else
  skip "watching needs DynamoDB on the server"
fi

step "6d. Audit: what each principal was granted, used and denied"
run "$LC" audit --principal arn:aws:iam::000000000000:user/read-table-user
if [ "$RC" -eq 0 ] && [ "$DDB" -eq 1 ]; then
  expect_contains "used 2 of its 8 read actions" "read-table-user used 2 of its 8 read actions (GetItem, Scan)"
  expect_contains "dynamodb:PutItem" "and its denied PutItem is listed"
elif [ "$RC" -ne 0 ]; then
  skip "leastcloud audit (the watch work)"
fi

step "7. Destroy the stack"
run "$LC" destroy --force
expect_rc 0 "SampleCDKStack destroyed"
expect_contains "DELETE_SKIPPED" "the table was kept (DeletionPolicy Retain, CDK's default)"
run "$LC" outputs SampleCDKStack
[ "$RC" -ne 0 ] && ok "the stack is gone" || fail "the stack still answers"

step "8. The retained table still holds its items; deploying again fails as CloudFormation does"
if [ "$DDB" -eq 1 ]; then
  eval "$("$LC" env --endpoint-url "$ENDPOINT")"
  run aws dynamodb scan --table-name dynamoTable
  expect_contains "hello from the seed" "the item survived the destroy"
else
  skip "scanning the retained table through the server"
fi
run "$LC" deploy
[ "$RC" -ne 0 ] && ok "deploy refused" || fail "deploy succeeded over a retained table"
expect_contains "dynamoTable already exists" "CloudFormation's reason: dynamoTable already exists"
expect_contains "ROLLBACK_COMPLETE" "and the stack rolled back, leaving nothing half-made"
run "$LC" destroy --force

step "9. Stop the local cloud"
if [ -n "$SERVER_PID" ]; then
  show kill "$SERVER_PID"
  kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  ok "stopped"
else
  skip "no server to stop"
fi

printf '\n%sThe seed scenario ran as far as it exists in this build.%s\n' "$G" "$N"
exit $FAILED
