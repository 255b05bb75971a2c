#!/usr/bin/env python3
"""Interop: requests signed by botocore must pass leastcloud's SigV4 verifier.

Signs DynamoDB-like POSTs, STS Query calls, Lambda REST paths and presigned GETs with
botocore's own signers (SigV4Auth, SigV4QueryAuth, S3 presigning) and through real boto3 clients
(captured just before they would be sent), writes each request as text and runs
auth_verify_request on it. Also checks that tampered requests are refused with AWS's codes.

usage: test_botocore_interop.py <path to auth_verify_request>
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

import boto3
import botocore.auth
import botocore.credentials
from botocore.awsrequest import AWSRequest
from botocore.config import Config

VERIFY = sys.argv[1]
AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TEMP_AKID = "ASIAIOSFODNN7EXAMPLE"
TEMP_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
TOKEN = "AQoDYXdzEJr//////////wEa+token/with=odd+chars"
ENDPOINT = "http://127.0.0.1:4566"
FAILURES = []
TMP = tempfile.mkdtemp(prefix="lc-auth-interop-")


def creds(session=False):
    if session:
        return botocore.credentials.Credentials(TEMP_AKID, TEMP_SECRET, TOKEN)
    return botocore.credentials.Credentials(AKID, SECRET)


def to_text(method, url, headers, body):
    """The request as it goes on the wire: request line, headers (Host included), body."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"{method} {target} HTTP/1.1"]
    names = {k.lower() for k in headers.keys()}
    if "host" not in names:
        lines.append(f"Host:{parts.netloc}")
    for k, v in headers.items():
        if isinstance(v, bytes):
            v = v.decode()
        lines.append(f"{k}:{v}")
    if body is None:
        body = b""
    if isinstance(body, str):
        body = body.encode()
    return ("\n".join(lines) + "\n\n").encode() + body


def verify(name, raw, service, session=False, expect=None):
    path = os.path.join(TMP, name.replace(" ", "_") + ".txt")
    with open(path, "wb") as f:
        f.write(raw)
    args = [VERIFY, "--service", service]
    if session:
        args += ["--akid", TEMP_AKID, "--secret", TEMP_SECRET, "--token", TOKEN]
    else:
        args += ["--akid", AKID, "--secret", SECRET]
    out = subprocess.run(args + [path], capture_output=True, text=True)
    try:
        result = json.loads(out.stdout)
    except ValueError:
        FAILURES.append(f"{name}: no JSON from verifier: {out.stdout!r} {out.stderr!r}")
        return
    if expect is None:
        if not result.get("ok"):
            FAILURES.append(f"{name}: refused: {result}")
        else:
            print(f"ok   {name}")
    else:
        code, status, prefix = expect
        if result.get("ok") or result.get("code") != code or result.get("status") != status or \
                not result.get("message", "").startswith(prefix):
            FAILURES.append(f"{name}: expected {expect}, got {result}")
        else:
            print(f"ok   {name} (refused: {code})")


def sign_header(service, method, url, body, headers, session=False):
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    botocore.auth.SigV4Auth(creds(session), service, "us-east-1").add_auth(req)
    return to_text(method, req.url, dict(req.headers.items()), body)


def presign(service, url, expires, session=False):
    req = AWSRequest(method="GET", url=url)
    botocore.auth.SigV4QueryAuth(creds(session), service, "us-east-1", expires=expires).add_auth(req)
    return to_text("GET", req.url, dict(req.headers.items()), b"")


DDB_HEADERS = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "DynamoDB_20120810.PutItem"}
DDB_BODY = json.dumps({"TableName": "dynamoTable",
                       "Item": {"id": {"S": "k1"}, "note": {"S": "caf\u00e9 \u2603"}}}).encode()

# 1. DynamoDB POSTs signed by SigV4Auth.
verify("ddb put", sign_header("dynamodb", "POST", ENDPOINT + "/", DDB_BODY, DDB_HEADERS), "dynamodb")
verify("ddb put with session token",
       sign_header("dynamodb", "POST", ENDPOINT + "/", DDB_BODY, DDB_HEADERS, session=True),
       "dynamodb", session=True)
verify("ddb empty body", sign_header("dynamodb", "POST", ENDPOINT + "/", b"", DDB_HEADERS), "dynamodb")

# 2. Query protocol (STS, IAM) form bodies and query strings.
verify("sts form post", sign_header(
    "sts", "POST", ENDPOINT + "/", b"Action=GetCallerIdentity&Version=2011-06-15",
    {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}), "sts")
verify("iam get with query", sign_header(
    "iam", "GET", ENDPOINT + "/?Action=ListUsers&Version=2010-05-08&Marker=a%2Fb%20c~d", b"", {}),
    "iam")

# 3. REST path with characters botocore escapes (double encoding for non-S3 services).
verify("lambda invoke path", sign_header(
    "lambda", "POST",
    ENDPOINT + "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations",
    b"{}", {"X-Amz-Invocation-Type": "RequestResponse"}), "lambda")
verify("path with dot segments", sign_header(
    "lambda", "GET", ENDPOINT + "/2015-03-31/functions/./f/../g/", b"", {}), "lambda")

# 4. Presigned GETs.
verify("sts presigned", presign(
    "sts", ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15", 900), "sts")
verify("sts presigned with session token", presign(
    "sts", ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15", 60, session=True),
    "sts", session=True)
verify("dynamodb presigned", presign("dynamodb", ENDPOINT + "/", 300), "dynamodb")

# 5. Real boto3 clients: capture the request the client would send (all its headers included).
captured = {}


def capture(request, **kwargs):
    captured["req"] = request
    raise StopIteration  # never sent anywhere


def client_request(service, call, session=False, **params):
    c = creds(session)
    client = boto3.client(service, region_name="us-east-1", endpoint_url=ENDPOINT,
                          aws_access_key_id=c.access_key, aws_secret_access_key=c.secret_key,
                          aws_session_token=c.token,
                          config=Config(retries={"max_attempts": 0}))
    client.meta.events.register("before-send", capture)
    try:
        getattr(client, call)(**params)
    except StopIteration:
        pass
    r = captured.pop("req")
    return to_text(r.method, r.url, dict(r.headers.items()), r.body)


verify("boto3 dynamodb put_item", client_request(
    "dynamodb", "put_item", TableName="dynamoTable", Item={"id": {"S": "a b/c?d"}}), "dynamodb")
verify("boto3 dynamodb query with session", client_request(
    "dynamodb", "query", session=True, TableName="t", KeyConditionExpression="pk = :v",
    ExpressionAttributeValues={":v": {"S": "x"}}), "dynamodb", session=True)
verify("boto3 sts get_caller_identity", client_request("sts", "get_caller_identity"), "sts")
verify("boto3 iam get_user", client_request("iam", "get_user", UserName="read-table-user"), "iam")
verify("boto3 lambda invoke", client_request(
    "lambda", "invoke", FunctionName="arn:aws:lambda:us-east-1:000000000000:function:my-fn",
    Payload=b'{"k":1}'), "lambda")

# 6. S3-style presigned URL: no normalization, no double encoding, UNSIGNED-PAYLOAD.
s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id=AKID,
                  aws_secret_access_key=SECRET,
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "dir/a b+c//x.txt"},
                                ExpiresIn=600)
verify("s3 presigned get_object", to_text("GET", url, {}, b""), "s3")

# 7. Refusals, with AWS's codes per family.
good = sign_header("dynamodb", "POST", ENDPOINT + "/", DDB_BODY, DDB_HEADERS)
verify("ddb tampered body", good.replace(b'"k1"', b'"k2"'), "dynamodb",
       expect=("InvalidSignatureException", 400,
               "The request signature we calculated does not match"))
verify("ddb wrong service scope", good, "lambda",
       expect=("InvalidSignatureException", 403, "Credential should be scoped to correct service"))
bad_secret = AWSRequest(method="POST", url=ENDPOINT + "/", data=b"Action=GetCallerIdentity",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
botocore.auth.SigV4Auth(botocore.credentials.Credentials(AKID, "wrong"), "sts",
                        "us-east-1").add_auth(bad_secret)
verify("sts wrong secret", to_text("POST", bad_secret.url, dict(bad_secret.headers.items()),
                                   b"Action=GetCallerIdentity"), "sts",
       expect=("SignatureDoesNotMatch", 403, "The request signature we calculated"))
unknown = AWSRequest(method="POST", url=ENDPOINT + "/", data=DDB_BODY, headers=DDB_HEADERS)
botocore.auth.SigV4Auth(botocore.credentials.Credentials("AKIAUNKNOWN000000000", SECRET),
                        "dynamodb", "us-east-1").add_auth(unknown)
verify("ddb unknown key", to_text("POST", unknown.url, dict(unknown.headers.items()), DDB_BODY),
       "dynamodb", expect=("UnrecognizedClientException", 400,
                           "The security token included in the request is invalid."))
no_token = sign_header("dynamodb", "POST", ENDPOINT + "/", DDB_BODY, DDB_HEADERS, session=True)
no_token = b"\n".join(l for l in no_token.split(b"\n") if not l.lower().startswith(b"x-amz-security-token"))
verify("ddb session key without its token", no_token, "dynamodb", session=True,
       expect=("InvalidSignatureException", 400, "The request signature"))

shutil.rmtree(TMP, ignore_errors=True)
if FAILURES:
    print("\n".join("FAIL " + f for f in FAILURES))
    sys.exit(1)
print("all botocore-signed requests behaved as on AWS")
