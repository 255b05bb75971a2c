"""Helpers of the IAM/STS/CloudFormation API tests: raw signed Query requests and the CLIs."""
import json
import os
import re
import shutil
import sys
import subprocess
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from lcserver import REGION  # noqa: E402

CLIS = {"v1": shutil.which("aws", path="/root/.pyenv/shims:/usr/local/bin") or "aws", "v2": "/usr/bin/aws"}
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15", "cloudformation": "2010-05-15"}


def raw_query(srv, service, action, params=None, creds=None, region=None):
    """POSTs a SigV4-signed Query request; returns (status, headers dict lower-case, body text)."""
    creds = creds or srv.root_credentials()
    form = {"Action": action, "Version": VERSIONS[service]}
    form.update(params or {})
    body = urllib.parse.urlencode(form)
    req = AWSRequest(method="POST", url=srv.endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken")), service,
              region or ("us-east-1" if service == "iam" else REGION)).add_auth(req)
    r = urllib.request.Request(srv.endpoint + "/", data=body.encode(), method="POST", headers=dict(req.headers))
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()


def error_xml(ns, code, message, request_id):
    """The exact bytes AWS sends for a Query-protocol error (AWS-BEHAVIOUR.md 2.3)."""
    esc = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&apos;")
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>Sender</Type>\n    <Code>%s</Code>\n    <Message>%s</Message>\n'
            '  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n' % (ns, code, esc, request_id))


def aws(srv, cli, *args, creds=None, ok=True, timeout=180):
    """Runs the aws CLI (v1 or v2) against the server. ok: returns parsed JSON stdout; else stderr."""
    r = subprocess.run([CLIS[cli], "--output", "json", "--endpoint-url", srv.endpoint] + list(args), env=srv.cli_env(creds), capture_output=True,
                       text=True, timeout=timeout)
    if ok:
        assert r.returncode == 0, "%s: %s" % (args, r.stderr)
        return json.loads(r.stdout) if r.stdout.strip() else {}
    assert r.returncode != 0, "%s unexpectedly succeeded: %s" % (args, r.stdout)
    return r.stderr


def aws_text(srv, cli, *args, creds=None, timeout=180):
    """Runs the aws CLI; returns (exit status, stdout + stderr) for commands that print text."""
    r = subprocess.run([CLIS[cli], "--endpoint-url", srv.endpoint] + list(args), env=srv.cli_env(creds),
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def cli_error(stderr):
    """(code, message) from the CLI's "An error occurred (Code) when calling the Op operation: message"."""
    m = re.search(r"An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)",
                  stderr, re.S)
    assert m, stderr
    return m.group(1), m.group(3).strip()


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


def allow(actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]})


def error(call):
    """(HTTP status, code, message) of a call that must fail with a ClientError."""
    try:
        call()
    except ClientError as e:
        r = e.response
        return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]
    raise AssertionError("the call succeeded")
