"""Stopping and crashing: SIGTERM drains in-flight requests and exits 0; kill -9 loses no acknowledged write."""
import os
import subprocess
import threading
import time

import shutil
import tempfile
import unittest

from lcserver import LEASTCLOUD, Server


def make_table(c, name="www"):
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")


class Lifecycle(unittest.TestCase):

    def test_env_prints_the_root_credentials_without_a_server(self):
        tmp = tempfile.mkdtemp(prefix="lc_env_test_")
        self.addCleanup(shutil.rmtree, tmp, True)
        state = os.path.join(tmp, "state")
        out = subprocess.run([LEASTCLOUD, "--state", state, "env"], check=True, capture_output=True, text=True).stdout
        lines = dict(l[len("export "):].split("=", 1) for l in out.strip().splitlines())
        assert set(lines) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION",
                              "AWS_ENDPOINT_URL"}
        assert lines["AWS_ACCESS_KEY_ID"].strip("'").startswith("AKIA")
        assert lines["AWS_ENDPOINT_URL"] == "'http://127.0.0.1:4566'"
        assert oct(os.stat(os.path.join(state, "credentials")).st_mode & 0o777) == "0o600"
        with Server(state=state) as s:
            env = dict(os.environ, AWS_ENDPOINT_URL=s.endpoint)
            script = 'eval "$(%s --state %s env)"; aws dynamodb list-tables --output json' % (LEASTCLOUD, state)
            r = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            assert '"TableNames": []' in r.stdout

    def test_sigterm_drains_in_flight_requests_and_exits_zero(self):
        with Server() as s:
            c = s.boto3("dynamodb")
            make_table(c)
            errors, done = [], []

            def writer(n):
                w = s.boto3("dynamodb")
                for i in range(200):
                    try:
                        w.put_item(TableName="www", Item={"k": {"S": "%d-%d" % (n, i)}})
                        done.append((n, i))
                    except Exception as e:  # connection refused after the stop is expected
                        errors.append(e)
                        return

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            time.sleep(0.3)
            assert s.stop() == 0
            for t in threads:
                t.join()
            log = s.read_log()
            assert "SIGTERM received" in log and "stopped after" in log
            acknowledged = len(done)
            rows = s.trail()
            puts = [r for r in rows if r["operation"] == "PutItem" and r["http_status"] == 200]
            # Every acknowledged write has its trail row (the queue is flushed on SIGTERM).
            assert len(puts) >= acknowledged
            s.start()
            items = {i["k"]["S"] for p in s.boto3("dynamodb").get_paginator("scan").paginate(TableName="www")
                     for i in p["Items"]}
            assert {"%d-%d" % d for d in done} <= items

    def test_kill_9_loses_no_acknowledged_write(self):
        with Server() as s:
            make_table(s.boto3("dynamodb"))
            acked, stop = [], threading.Event()
            lock = threading.Lock()

            def writer(n):
                w = s.boto3("dynamodb")
                i = 0
                while not stop.is_set():
                    try:
                        w.put_item(TableName="www", Item={"k": {"S": "%d-%d" % (n, i)}, "v": {"N": str(i)}})
                    except Exception:
                        return
                    with lock:
                        acked.append("%d-%d" % (n, i))
                    i += 1

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            s.kill()
            stop.set()
            for t in threads:
                t.join()
            assert len(acked) > 50
            s.start()
            items = {i["k"]["S"] for p in s.boto3("dynamodb").get_paginator("scan").paginate(TableName="www")
                     for i in p["Items"]}
            missing = set(acked) - items
            assert not missing, "%d acknowledged writes lost, e.g. %s" % (len(missing), sorted(missing)[:5])

    def test_port_in_use_fails_with_a_message(self):
        with Server() as s:
            r = subprocess.run([LEASTCLOUD, "--state", s.state, "serve", "--port", str(s.port)], capture_output=True,
                               text=True, timeout=30)
            assert r.returncode == 1
            assert "cannot listen on 127.0.0.1:%d" % s.port in r.stderr

    def test_serve_usage_errors_exit_2(self):
        r = subprocess.run([LEASTCLOUD, "serve", "--port", "http"], capture_output=True, text=True)
        assert r.returncode == 2 and "--port" in r.stderr


if __name__ == "__main__":
    unittest.main()
