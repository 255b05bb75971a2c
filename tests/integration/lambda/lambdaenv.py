"""lambdaenv.py: one local cloud with the seed stack deployed, plus helpers to add functions, for the
Lambda integration tests. Built on the server tests' lcserver.py."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))

import lcserver  # noqa: E402

SOURCE = os.environ.get("LC_SOURCE_DIR") or os.path.join(HERE, "..", "..", "..")
SEED_APP = os.path.join(SOURCE, "tests", "data", "cdk-reference", "seed", "default")
FUNCTION_TOOL = os.path.join(lcserver.BUILD, "tests", "lc_test_function")
C_HANDLER = os.path.join(lcserver.BUILD, "tests", "lc_test_c_handler")
ACCOUNT = lcserver.ACCOUNT
REGION = lcserver.REGION


def function_arn(name):
    return "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)


class Cloud:
    """A state with the seed stack deployed and a server on it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lc_lambda_test_")
        self.state = os.path.join(self.dir, "state")
        out = subprocess.run([lcserver.LEASTCLOUD, "--state", self.state, "--json", "deploy", "--app", SEED_APP],
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("deploy failed:\n%s\n%s" % (out.stdout, out.stderr))
        self.outputs = self._outputs(out.stdout)
        # One event loop: an Invoke must leave the loop, or the function's own DynamoDB calls back
        # into this server would wait behind it until the function times out.
        self.srv = lcserver.Server(state=self.state, threads=1).start()
        fn = self.lambda_client().get_function_configuration(FunctionName="read-function")
        self.role_arn = fn["Role"]
        self.role_name = self.role_arn.rsplit("/", 1)[1]

    @staticmethod
    def _outputs(stdout):
        try:
            doc = json.loads(stdout)
        except ValueError:
            return {}
        found = {}

        def walk(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    if k in ("accessToken", "secretAccessToken") and isinstance(x, str):
                        found[k] = x
                    elif isinstance(x, dict) and x.get("OutputKey") in ("accessToken", "secretAccessToken"):
                        found[x["OutputKey"]] = x.get("OutputValue")
                    else:
                        walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
        walk(doc)
        return found

    def close(self):
        try:
            self.srv.close()
        finally:
            if not os.environ.get("LC_KEEP_STATE"):
                shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------------ functions

    def put_function(self, name, runtime, handler, code_dir, timeout=10, env=None, role=None):
        args = [FUNCTION_TOOL, self.state, name, runtime, handler, role or self.role_arn, code_dir, str(timeout),
                json.dumps(env if env is not None else {"DYNAMO_TABLE_NAME": "dynamoTable"})]
        subprocess.run(args, check=True, capture_output=True, text=True)

    def c_code_dir(self):
        d = os.path.join(self.dir, "c_code")
        os.makedirs(d, exist_ok=True)
        shutil.copy(C_HANDLER, os.path.join(d, "bootstrap"))
        return d

    # ------------------------------------------------------------------ clients

    def lambda_client(self, creds=None):
        return self.srv.boto3("lambda", creds=creds, read_timeout=120)

    def ddb(self, creds=None):
        return self.srv.boto3("dynamodb", creds=creds)

    def invoke(self, name, payload=None, creds=None, **kw):
        if creds is None:
            # Creating a boto3 client costs ~80 ms; the root one is made once.
            if getattr(self, "_root_lambda", None) is None:
                self._root_lambda = self.lambda_client()
            client = self._root_lambda
        else:
            client = self.lambda_client(creds)
        r = client.invoke(FunctionName=name, Payload=json.dumps(payload or {}).encode(), **kw)
        body = r["Payload"].read()
        r["Body"] = json.loads(body) if body else None
        if "LogResult" in r:
            r["Log"] = base64.b64decode(r["LogResult"]).decode()
        return r


def fn_dir(name):
    return os.path.join(HERE, "functions", name)
