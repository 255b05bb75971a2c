"""`aws lambda invoke` (CLI v1 and v2) and `leastcloud invoke` / `leastcloud logs` against the local cloud
with the seed stack deployed: the seed scenario's "invoke" step as a person would type it."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from lambdaenv import ACCOUNT, SOURCE, Cloud, fn_dir, function_arn
import lcserver

AWS_V1 = shutil.which("aws")
AWS_V2 = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else None


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = Cloud()
        cls.cloud.ddb().put_item(TableName="dynamoTable", Item={"timestamp": {"N": "42"}})
        cls.tmp = tempfile.mkdtemp(prefix="lc_lambda_cli_")

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def aws(self, exe, *args, creds=None):
        env = self.cloud.srv.cli_env(creds)
        # Debian's CLI v2 predates AWS_ENDPOINT_URL, so name the endpoint on the command line.
        return subprocess.run([exe, "--endpoint-url", self.cloud.srv.endpoint] + list(args), env=env, capture_output=True, text=True, timeout=120)

    def leastcloud(self, *args):
        return subprocess.run([lcserver.LEASTCLOUD, "--state", self.cloud.state, "--endpoint-url",
                               self.cloud.srv.endpoint] + list(args), capture_output=True, text=True, timeout=120)

    def check_aws_invoke(self, exe):
        out = os.path.join(self.tmp, "out-%s.json" % os.path.basename(os.path.dirname(exe)))
        r = self.aws(exe, "lambda", "invoke", "--function-name", "read-function", "--log-type", "Tail", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        meta = json.loads(r.stdout)
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(meta["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", meta)
        self.assertIn("REPORT RequestId: ", base64.b64decode(meta["LogResult"]).decode())
        with open(out) as f:
            result = json.load(f)
        self.assertEqual(json.loads(result["body"]), [{"timestamp": {"N": "42"}}])

    @unittest.skipUnless(AWS_V1, "aws CLI v1 not installed")
    def test_aws_cli_v1_invokes_the_seed_function(self):
        self.check_aws_invoke(AWS_V1)

    @unittest.skipUnless(AWS_V2, "aws CLI v2 not installed")
    def test_aws_cli_v2_invokes_the_seed_function(self):
        self.check_aws_invoke(AWS_V2)

    @unittest.skipUnless(AWS_V2, "aws CLI v2 not installed")
    def test_aws_cli_v2_shows_the_handlers_write_denied(self):
        self.cloud.put_function("read-function", "nodejs14.x", "index.handler", fn_dir("node_rw"))
        out = os.path.join(self.tmp, "denied.json")
        r = self.aws(AWS_V2, "lambda", "invoke", "--function-name", "read-function", "--cli-binary-format",
                     "raw-in-base64-out", "--payload", '{"write": true}', out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["FunctionError"], "Unhandled")
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(doc["errorType"], "AccessDeniedException")
        self.assertEqual(doc["errorMessage"],
                         "User: arn:aws:sts::%s:assumed-role/%s/read-function is not authorized to perform: "
                         "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:%s:table/dynamoTable because no "
                         "identity-based policy allows the dynamodb:PutItem action"
                         % (ACCOUNT, self.cloud.role_name, ACCOUNT))

    @unittest.skipUnless(AWS_V2, "aws CLI v2 not installed")
    def test_aws_cli_v2_reports_access_denied_for_the_read_user(self):
        creds = {"AccessKeyId": self.cloud.outputs["accessToken"],
                 "SecretAccessKey": self.cloud.outputs["secretAccessToken"]}
        r = self.aws(AWS_V2, "lambda", "invoke", "--function-name", "read-function", os.path.join(self.tmp, "x"),
                     creds=creds)
        self.assertEqual(r.returncode, 254)
        self.assertIn("An error occurred (AccessDeniedException) when calling the Invoke operation", r.stderr)
        self.assertIn(": User: "
                      "arn:aws:iam::%s:user/read-table-user is not authorized to perform: lambda:InvokeFunction "
                      "on resource: %s because no identity-based policy allows the lambda:InvokeFunction action"
                      % (ACCOUNT, function_arn("read-function")), r.stderr)

    def test_sdk_v3_lambda_client_invokes_and_sees_denials(self):
        script = r"""
const { LambdaClient, InvokeCommand } = require("@aws-sdk/client-lambda");
(async () => {
  const c = new LambdaClient({});
  const ok = await c.send(new InvokeCommand({ FunctionName: "read-function", LogType: "Tail" }));
  const out = { status: ok.StatusCode, fnError: ok.FunctionError || null, version: ok.ExecutedVersion,
                payload: JSON.parse(Buffer.from(ok.Payload).toString()),
                log: Buffer.from(ok.LogResult, "base64").toString() };
  try { await c.send(new InvokeCommand({ FunctionName: "nope" })); } catch (e) {
    out.missing = { name: e.name, message: e.message, status: e.$metadata.httpStatusCode };
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""
        env = self.cloud.srv.cli_env()
        env["NODE_PATH"] = os.path.join(SOURCE, "node_modules")
        r = subprocess.run(["node", "-e", script], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["status"], 200)
        self.assertIsNone(out["fnError"])
        self.assertEqual(out["version"], "$LATEST")
        self.assertEqual(out["payload"]["statusCode"], 200)
        self.assertIn("REPORT RequestId: ", out["log"])
        self.assertEqual(out["missing"], {"name": "ResourceNotFoundException", "status": 404,
                                          "message": "Function not found: " + function_arn("nope")})

    def test_leastcloud_invoke_prints_the_result(self):
        r = self.leastcloud("invoke", "read-function", "--payload", '{"x":1}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(json.loads(r.stdout)["body"]), [{"timestamp": {"N": "42"}}])

    def test_leastcloud_invoke_json_and_tail(self):
        r = self.leastcloud("--json", "invoke", "read-function", "--tail")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["StatusCode"], 200)
        self.assertEqual(doc["Payload"]["statusCode"], 200)
        self.assertIn("END RequestId: ", doc["LogResult"])

    def test_leastcloud_invoke_function_error_exits_1(self):
        self.cloud.put_function("cli-boom", "nodejs20.x", "index.boom", fn_dir("node_fail"))
        r = self.leastcloud("invoke", "cli-boom")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["errorMessage"], "boom")
        self.assertIn("cli-boom failed (Unhandled)", r.stderr)

    def test_leastcloud_invoke_unknown_function(self):
        r = self.leastcloud("invoke", "nope")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ResourceNotFoundException: Function not found: %s" % function_arn("nope"), r.stderr)

    def test_leastcloud_invoke_usage(self):
        self.assertEqual(self.leastcloud("invoke").returncode, 2)
        self.assertEqual(self.leastcloud("invoke", "a", "b").returncode, 2)

    def test_leastcloud_invoke_without_server_fails_cleanly(self):
        r = subprocess.run([lcserver.LEASTCLOUD, "--state", self.cloud.state, "--endpoint-url",
                            "http://127.0.0.1:%d" % lcserver.free_port(), "invoke", "read-function"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is `leastcloud serve` running", r.stderr)

    def test_leastcloud_logs_shows_each_invocation(self):
        self.cloud.put_function("cli-logs", "nodejs20.x", "index.handler", fn_dir("node_rw"))
        ids = []
        for _ in range(2):
            r = self.leastcloud("--json", "invoke", "cli-logs", "--tail")
            ids.append(json.loads(r.stdout)["LogResult"].split()[2])
        r = self.leastcloud("logs", "cli-logs")
        self.assertEqual(r.returncode, 0, r.stderr)
        for rid in ids:
            self.assertIn("START RequestId: %s Version: $LATEST" % rid, r.stdout)
            self.assertIn("END RequestId: %s" % rid, r.stdout)
        r = self.leastcloud("--json", "logs", "cli-logs")
        blocks = json.loads(r.stdout)
        self.assertEqual([b["RequestId"] for b in blocks], ids)
        self.assertIn("INFO\tscanning dynamoTable", blocks[0]["Log"])
        self.assertEqual(self.leastcloud("logs", "never-invoked").returncode, 1)


if __name__ == "__main__":
    unittest.main()
