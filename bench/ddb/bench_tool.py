#!/usr/bin/env python3
"""bench_tool.py: data loading and signed-request generation for bench/ddb/run.sh.

  load ENDPOINT KEY SECRET [ITEMS]        creates table `bench` (p S, s N) and ITEMS items in
                                          partitions of 100 (BatchWriteItem, 4 threads)
  sign ENDPOINT KEY SECRET OP N OUT.lua   writes N signed raw HTTP requests for OP (GetItem, Query,
                                          PutItem, Scan) as a Lua table for rotate.lua
SigV4 signatures stay valid for 15 minutes, so requests are generated right before each run.
"""
import random
import sys
import threading

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config

PER_PARTITION = 100


def client(endpoint, key, secret):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 5}))


def load(endpoint, key, secret, items=100000):
    c = client(endpoint, key, secret)
    c.create_table(TableName="bench", KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                                                 {"AttributeName": "s", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                         {"AttributeName": "s", "AttributeType": "N"}],
                   BillingMode="PAY_PER_REQUEST")
    partitions = items // PER_PARTITION

    def work(first):
        w = client(endpoint, key, secret)
        for part in range(first, partitions, 4):
            for start in range(0, PER_PARTITION, 25):
                reqs = [{"PutRequest": {"Item": {"p": {"S": "p%05d" % part}, "s": {"N": str(i)},
                                                 "payload": {"S": "x" * 100}, "n": {"N": str(part * 1000 + i)}}}}
                        for i in range(start, min(start + 25, PER_PARTITION))]
                pending = {"bench": reqs}
                while pending:
                    pending = w.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("loaded %d items" % (partitions * PER_PARTITION))


def body_for(op, rnd, partitions):
    part = "p%05d" % rnd.randrange(partitions)
    if op == "GetItem":
        return '{"TableName":"bench","Key":{"p":{"S":"%s"},"s":{"N":"%d"}}}' % (part, rnd.randrange(PER_PARTITION))
    if op == "Query":
        return ('{"TableName":"bench","KeyConditionExpression":"p = :p",'
                '"ExpressionAttributeValues":{":p":{"S":"%s"}}}' % part)
    if op == "PutItem":
        return ('{"TableName":"bench","Item":{"p":{"S":"w%05d"},"s":{"N":"%d"},"payload":{"S":"%s"}}}'
                % (rnd.randrange(1000), rnd.randrange(100), "y" * 100))
    if op == "Scan":
        return '{"TableName":"bench","Limit":100}'
    raise SystemExit("unknown op " + op)


def sign(endpoint, key, secret, op, n, out, partitions=1000):
    rnd = random.Random(42)
    creds = botocore.credentials.Credentials(key, secret)
    host = endpoint.split("//", 1)[1]
    with open(out, "w") as f:
        f.write("return {\n")
        for _ in range(int(n)):
            body = body_for(op, rnd, partitions)
            req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body.encode(), headers={
                "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0"})
            botocore.auth.SigV4Auth(creds, "dynamodb", "us-east-1").add_auth(req)
            lines = ["POST / HTTP/1.1", "Host: " + host, "Content-Length: %d" % len(body)]
            lines += ["%s: %s" % kv for kv in req.headers.items()]
            raw = "\r\n".join(lines) + "\r\n\r\n" + body
            # A quoted Lua string: long brackets would turn the CRLFs into bare LFs.
            lua = raw.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
            f.write('"%s",\n' % lua)
        f.write("}\n")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 100000)
    elif cmd == "sign":
        sign(*sys.argv[2:8])
    else:
        raise SystemExit(__doc__)
