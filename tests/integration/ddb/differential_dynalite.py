#!/usr/bin/env python3
"""Differential check: the same DynamoDB operation sequence against leastcloud's ddb module (through
ddb_replay, no server) and against dynalite (npm, written against live DynamoDB) started on a free
127.0.0.1 port. Responses are compared after removing what legitimately differs (ids, timestamps,
ARN account); Scan and BatchGetItem results are compared order-insensitively, as DynamoDB's order
there is unspecified. Exit 0 when everything matches, 1 on a difference, 77 to skip.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import urllib.error

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:  # pragma: no cover
    print("botocore is not installed: skipping")
    sys.exit(77)

TABLE = {
    "TableName": "diffTable",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                             {"AttributeName": "sk", "AttributeType": "N"},
                             {"AttributeName": "g", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST",
    "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
}


def item(pk, sk, **extra):
    it = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    it.update(extra)
    return it


# Known, deliberate differences from dynalite (each checked against AWS's documentation):
#  - "nocap": the write also updates the GSI. DynamoDB's ConsumedCapacity.CapacityUnits counts the
#    table AND its indexes; dynalite counts the table only. The rest of the response must match.
#  - "errtype": the error type must match but the message is DynamoDB's, not dynalite's: syntax
#    errors read 'Syntax error; token: "<EOF>", near: ","' on DynamoDB (dynalite prints its PEG
#    parser's message), and CreateTable of an existing table says "Table already exists: <name>"
#    (dynalite sends an empty message).
#  - DescribeTable's ItemCount is live here; dynalite always says 0 (DynamoDB refreshes it about
#    every six hours), so it is not compared.


def operations():
    """(operation, request, how to compare)."""
    ops = [("CreateTable", TABLE, "table"),
           ("CreateTable", TABLE, "errtype")]  # ResourceInUseException
    for i in range(12):
        extra = {"n": {"N": str(i * 1.5)}, "s": {"S": "v%d" % i}}
        if i % 3 == 0:
            extra["g"] = {"S": "even" if i % 2 == 0 else "odd"}
        if i == 4:
            extra.update({"l": {"L": [{"S": "x"}, {"N": "010"}, {"M": {"k": {"BOOL": True}}}]},
                          "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["1", "2.50"]}, "nul": {"NULL": True},
                          "bin": {"B": "AAECAw=="}, "neg": {"N": "-0.000120"}, "big": {"N": "1.2E+30"}})
        ops.append(("PutItem", {"TableName": "diffTable", "Item": item("a" if i < 8 else "b", i, **extra),
                                "ReturnConsumedCapacity": "TOTAL"}, "nocap" if "g" in extra else "exact"))
    ops += [
        ("PutItem", {"TableName": "diffTable", "Item": item("a", 1, s={"S": "replaced"}), "ReturnValues": "ALL_OLD",
                     "ReturnConsumedCapacity": "INDEXES"}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "4"}}}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "4"}}, "ConsistentRead": True,
                     "ReturnConsumedCapacity": "TOTAL"}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "4"}},
                     "ProjectionExpression": "s, l[2].k, #n", "ExpressionAttributeNames": {"#n": "n"}}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "zz"}, "sk": {"N": "1"}}, "ReturnConsumedCapacity": "TOTAL"}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
                   "ReturnConsumedCapacity": "TOTAL"}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
                   "ExpressionAttributeValues": {":p": {"S": "a"}, ":a": {"N": "2"}, ":b": {"N": "5"}}, "ScanIndexForward": False}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p AND sk > :a", "Limit": 2,
                   "ExpressionAttributeValues": {":p": {"S": "a"}, ":a": {"N": "1"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p", "Limit": 2,
                   "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"N": "3"}},
                   "ExpressionAttributeValues": {":p": {"S": "a"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p", "Select": "COUNT",
                   "ExpressionAttributeValues": {":p": {"S": "b"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "IndexName": "byG", "KeyConditionExpression": "g = :g",
                   "ExpressionAttributeValues": {":g": {"S": "even"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p AND sk < :x", "FilterExpression": "n > :m",
                   "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "7"}, ":m": {"N": "3"}}}, "exact"),
        ("Scan", {"TableName": "diffTable"}, "unordered"),
        ("Scan", {"TableName": "diffTable", "ProjectionExpression": "pk, sk", "ReturnConsumedCapacity": "TOTAL"}, "unordered"),
        ("DeleteItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "0"}}, "ReturnValues": "ALL_OLD",
                        "ReturnConsumedCapacity": "TOTAL"}, "nocap"),
        ("DeleteItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "0"}}, "ReturnValues": "ALL_OLD"}, "exact"),
        ("BatchWriteItem", {"RequestItems": {"diffTable": [{"PutRequest": {"Item": item("c", i)}} for i in range(5)] +
                                             [{"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"N": "9"}}}}]},
                            "ReturnConsumedCapacity": "TOTAL"}, "nocap"),
        ("BatchGetItem", {"RequestItems": {"diffTable": {"Keys": [{"pk": {"S": "c"}, "sk": {"N": str(i)}} for i in range(7)]}},
                          "ReturnConsumedCapacity": "TOTAL"}, "unordered"),
        ("Scan", {"TableName": "diffTable", "Select": "COUNT"}, "exact"),
        # errors
        ("PutItem", {"TableName": "diffTable", "Item": {"pk": {"S": "a"}}}, "exact"),
        ("PutItem", {"TableName": "diffTable", "Item": {"pk": {"N": "1"}, "sk": {"N": "1"}}}, "exact"),
        ("PutItem", {"TableName": "diffTable", "Item": item("a", 1, x={"N": "1e200"})}, "exact"),
        ("PutItem", {"TableName": "diffTable", "Item": item("a", 1, x={"SS": ["q", "q"]})}, "exact"),
        ("PutItem", {"TableName": "diffTable", "Item": item("a", 1, x={"S": "1", "N": "1"})}, "exact"),
        ("PutItem", {"TableName": "diffTable", "Item": item("a", 1, g={"N": "1"})}, "exact"),
        ("PutItem", {"TableName": "diffTable", "Item": item("a", 1), "ReturnValues": "ALL_NEW"}, "exact"),
        ("GetItem", {"TableName": "noSuchTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}}}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "name"}, "exact"),
        ("GetItem", {"TableName": "diffTable", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "a,"}, "errtype"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "sk = :s", "ExpressionAttributeValues": {":s": {"N": "1"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p OR sk = :s",
                   "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}, ":q": {"S": "b"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}}, "exact"),
        ("Query", {"TableName": "diffTable", "IndexName": "nope", "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": "a"}}}, "exact"),
        ("BatchWriteItem", {"RequestItems": {"diffTable": [{"PutRequest": {"Item": item("d", 1)}},
                                                           {"PutRequest": {"Item": item("d", 1)}}]}}, "exact"),
        ("BatchGetItem", {"RequestItems": {"diffTable": {"Keys": [{"pk": {"S": "d"}, "sk": {"N": "1"}},
                                                                 {"pk": {"S": "d"}, "sk": {"N": "1"}}]}}}, "exact"),
        ("DescribeTable", {"TableName": "diffTable"}, "table"),
        ("ListTables", {}, "exact"),
        ("DeleteTable", {"TableName": "diffTable"}, "table"),
        ("DescribeTable", {"TableName": "diffTable"}, "exact"),
    ]
    return ops


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dynalite_call(port, op, req):
    body = json.dumps(req).encode()
    url = "http://127.0.0.1:%d/" % port
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op}
    aws = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "dynamodb", "us-east-1").add_auth(aws)
    r = urllib.request.Request(url, data=body, headers=dict(aws.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return {"ok": json.loads(resp.read() or b"{}")}
    except urllib.error.HTTPError as e:
        return {"error": json.loads(e.read() or b"{}")}


def norm_error(e):
    return {"type": e.get("__type", "").split("#")[-1], "message": e.get("message", e.get("Message", ""))}


TABLE_FIELDS = ["TableName", "KeySchema", "AttributeDefinitions", "BillingModeSummary"]


def norm_table(d):
    out = {k: d[k] for k in TABLE_FIELDS if k in d}
    if "BillingModeSummary" in out:
        out["BillingModeSummary"] = {"BillingMode": out["BillingModeSummary"].get("BillingMode")}
    out["AttributeDefinitions"] = sorted(out.get("AttributeDefinitions", []), key=lambda a: a["AttributeName"])
    out["GSI"] = sorted((g["IndexName"], json.dumps(g["KeySchema"]), g["Projection"]["ProjectionType"])
                        for g in d.get("GlobalSecondaryIndexes", []))
    return out


def numbers_as_values(v):
    """1 and 1.0 are the same capacity; JSON text differs only in how each side prints it."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: numbers_as_values(x) for k, x in v.items()}
    if isinstance(v, list):
        return [numbers_as_values(x) for x in v]
    return v


def canon(v):
    return json.dumps(numbers_as_values(v), sort_keys=True)


def normalize(result, how):
    if "error" in result:
        e = norm_error(result["error"])
        if how == "errtype":
            e.pop("message")
        return {"error": e}
    ok = dict(result["ok"])
    if how == "nocap":
        ok.pop("ConsumedCapacity", None)
    if how == "table":
        d = ok.get("TableDescription") or ok.get("Table") or {}
        t = norm_table(d)
        if d.get("TableStatus") == "DELETING":
            t.pop("GSI")  # dynalite leaves the indexes out of DeleteTable's description
        return {"table": t}
    if how == "unordered":
        if "Items" in ok:
            ok["Items"] = sorted(canon(i) for i in ok["Items"])
        if "Responses" in ok:
            ok["Responses"] = {t: sorted(canon(i) for i in v) for t, v in ok["Responses"].items()}
        if isinstance(ok.get("ConsumedCapacity"), list):
            ok["ConsumedCapacity"] = sorted(canon(c) for c in ok["ConsumedCapacity"])
    return {"ok": ok}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--replay", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    cli = os.path.join(args.root, "node_modules", "dynalite", "cli.js")
    if not os.path.exists(cli) or not shutil.which("node"):
        print("dynalite or node missing: skipping")
        return 77
    port = free_port()
    proc = subprocess.Popen(["node", cli, "--port", str(port), "--host", "127.0.0.1", "--createTableMs", "0",
                             "--deleteTableMs", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    state = tempfile.mkdtemp(prefix="lc_ddb_diff_")
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    print("dynalite did not start")
                    return 1
                time.sleep(0.1)
        ops = operations()
        lines = "".join(json.dumps({"op": op, "req": req}) + "\n" for op, req, _ in ops)
        out = subprocess.run([args.replay, state], input=lines.encode(), stdout=subprocess.PIPE, timeout=120, check=True)
        ours = [json.loads(l) for l in out.stdout.decode().splitlines()]
        failures = 0
        for i, (op, req, how) in enumerate(ops):
            theirs = dynalite_call(port, op, req)
            if op == "CreateTable" and how == "table":
                time.sleep(0.05)
            a, b = normalize(ours[i], how), normalize(theirs, how)
            if canon(a) != canon(b):
                failures += 1
                print("DIFF #%d %s %s\n  leastcloud: %s\n  dynalite:   %s" % (i, op, json.dumps(req)[:300], canon(a)[:1500], canon(b)[:1500]))
        print("%d operations compared, %d differences" % (len(ops), failures))
        print("%d passed, %d failed" % (len(ops) - failures, failures))
        return 1 if failures else 0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
