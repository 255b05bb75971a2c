"""lcserver.py: start `build/leastcloud serve` on a free port with a temp state, talk to it, stop it.

Shared by the server's integration tests. Every server started here is stopped by PID (SIGTERM,
then SIGKILL after a timeout) when the test ends, so a failing test leaves nothing running.
"""
import configparser
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

BUILD = os.environ.get("LC_BUILD_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "build")
LEASTCLOUD = os.path.join(BUILD, "leastcloud")
PRINCIPAL_TOOL = os.path.join(BUILD, "tests", "lc_test_principal")
SHARED = os.environ.get("LC_SHARED_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "data")
ACCOUNT = "000000000000"
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One running `leastcloud serve`. Use as a context manager."""

    def __init__(self, state=None, port=None, threads=None, env=None):
        self.own_state = state is None
        self.state = state or tempfile.mkdtemp(prefix="lc_server_test_")
        self.port = port or free_port()
        self.threads = threads
        self.env = env
        self.proc = None
        self.log_path = os.path.join(self.state, "serve.log")

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=15):
        args = [LEASTCLOUD, "--state", self.state, "serve", "--port", str(self.port)]
        if self.threads:
            args += ["--threads", str(self.threads)]
        env = dict(os.environ)
        env.update(self.env or {})
        if getattr(self, "log", None):
            self.log.close()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("server did not answer within %ss:\n%s" % (timeout, self.read_log()))

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout=20):
        """SIGTERM, wait; returns the exit status."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self):
        """kill -9, as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def close(self):
        try:
            self.stop()
        finally:
            if self.proc:
                self.kill()
            if getattr(self, "log", None):
                self.log.close()
            if self.own_state and not os.environ.get("LC_KEEP_STATE"):
                shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ credentials

    def root_credentials(self):
        cp = configparser.ConfigParser()
        cp.read(os.path.join(self.state, "credentials"))
        sec = cp["default"]
        return {"AccessKeyId": sec["aws_access_key_id"], "SecretAccessKey": sec["aws_secret_access_key"]}

    def principal_tool(self, *args):
        out = subprocess.run([PRINCIPAL_TOOL, self.state] + list(args), check=True, capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def create_user(self, name, policy=None, policy_name="policy"):
        args = ["user", name]
        if policy is not None:
            path = os.path.join(self.state, "policy-%s.json" % name)
            with open(path, "w") as f:
                json.dump(policy, f)
            args += [path, policy_name]
        return self.principal_tool(*args)

    def create_session(self, role, session, policy=None, expired=False):
        args = ["expire-session" if expired else "session", role, session]
        if policy is not None:
            path = os.path.join(self.state, "policy-%s.json" % role)
            with open(path, "w") as f:
                json.dump(policy, f)
            args.append(path)
        return self.principal_tool(*args)

    def trail(self):
        """The trail rows, read with sqlite3 (the server must have flushed them: stop it first or wait)."""
        import sqlite3
        db = sqlite3.connect(os.path.join(self.state, "trail.db"))  # the trail's own file
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM trail ORDER BY id")]
        db.close()
        return rows

    # ------------------------------------------------------------------ clients

    def boto3(self, service, creds=None, **kw):
        import boto3
        from botocore.config import Config
        creds = creds or self.root_credentials()
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, **kw),
        )

    def cli_env(self, creds=None):
        creds = creds or self.root_credentials()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        })
        if creds.get("SessionToken"):
            env["AWS_SESSION_TOKEN"] = creds["SessionToken"]
        return env


def table_arn(name):
    return "arn:aws:dynamodb:%s:%s:table/%s" % (REGION, ACCOUNT, name)


def cdk_read_policy(table="dynamoTable"):
    """The seed user's policy: CDK's grantReadData statements from the reference template."""
    rel = os.path.join("cdk-reference", "seed", "default", "SampleCDKStack.template.json")
    path = os.path.join(os.path.dirname(__file__), "..", "..", "data", rel)
    if not os.path.exists(path):
        path = os.path.join(SHARED, rel)
    with open(path) as f:
        tpl = json.load(f)
    doc = tpl["Resources"]["readTableUserDefaultPolicyFD186BB0"]["Properties"]["PolicyDocument"]

    def resolve(v):
        if isinstance(v, dict) and "Fn::GetAtt" in v:
            return table_arn(table)
        if isinstance(v, list):
            return [resolve(x) for x in v]
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        return v

    return resolve(doc)


def denial(arn, action, resource):
    return ("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy "
            "allows the %s action" % (arn, action, resource, action))


class ServerTestCase(__import__("unittest").TestCase):
    """A unittest class with one server for all its tests (cls.srv)."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        # A class cleanup also runs when the subclass's setUpClass fails after this (tearDownClass
        # would not), so a failed setup never leaves a server running.
        cls.addClassCleanup(cls.srv.close)
        cls.srv.start()
