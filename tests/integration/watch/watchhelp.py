"""Shared by the watch integration tests: the server helpers of ../server, CLI runners, polling."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))

from lcserver import (ACCOUNT, BUILD, LEASTCLOUD, REGION, Server, ServerTestCase,  # noqa: E402,F401
                      cdk_read_policy, table_arn)

AWS_V2 = "/usr/bin/aws"


def aws(srv, *args, creds=None, check=True):
    """aws CLI v2 (Query protocol for CloudWatch) against the server; returns parsed JSON or None."""
    r = subprocess.run([AWS_V2, "--endpoint-url", srv.endpoint, "--output", "json"] + list(args),
                       env=srv.cli_env(creds), capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError("aws %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
    if r.returncode != 0:
        return r
    return json.loads(r.stdout) if r.stdout.strip() else None


def leastcloud(srv, *args, check=True):
    r = subprocess.run([LEASTCLOUD, "--state", srv.state] + list(args), capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError("leastcloud %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def wait_for(fn, timeout=30, interval=0.2):
    """Calls fn until it returns a truthy value; returns it, or fails after timeout seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("condition not met within %ss (last: %r)" % (timeout, last))


def notifications(srv):
    import sqlite3
    db = sqlite3.connect(os.path.join(srv.state, "state.db"))
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM watch_notification ORDER BY id")]
    finally:
        db.close()


def boto3_cbor(srv, service, creds=None):
    """A boto3 client that talks smithy-rpc-v2-cbor: botocore 1.43 prefers awsJson1_0 when a model
    lists both, so CBOR is put first while the client is made (the choice is fixed at creation)."""
    import botocore.model
    saved = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
    botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor",) + tuple(
        p for p in saved if p != "smithy-rpc-v2-cbor")
    try:
        client = srv.boto3(service, creds=creds)
        assert client.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
        return client
    finally:
        botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = saved
