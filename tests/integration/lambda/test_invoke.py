"""Invoking functions on the local cloud with boto3: the seed's read-function with its role's
temporary credentials (reads allowed, writes denied with AWS's sentence), Node/Python/C runtimes,
timeouts, unhandled errors, crashes, warm reuse, log tails, Event/DryRun, and the API's own IAM checks."""
import json
import os
import time

import tempfile
import unittest
from botocore.exceptions import ClientError

from lambdaenv import ACCOUNT, REGION, Cloud, fn_dir, function_arn




def session_arn(cloud, fn):
    return "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, cloud.role_name, fn)


def denial(principal, action, resource):
    return ("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy "
            "allows the %s action" % (principal, action, resource, action))


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


TABLE_ARN = "arn:aws:dynamodb:%s:%s:table/dynamoTable" % (REGION, ACCOUNT)


class InvokeTest(unittest.TestCase):
    """One local cloud with the seed stack for every test of the class."""

    @classmethod
    def setUpClass(cls):
        cls.cloud = Cloud()
        cls.cloud.ddb().put_item(TableName="dynamoTable",
                                 Item={"timestamp": {"N": "1700000000"}, "note": {"S": "seed"}})

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_seed_function_reads_the_table_with_its_role(self):
        cloud = self.cloud
        r = cloud.invoke("read-function")
        assert r["StatusCode"] == 200
        assert "FunctionError" not in r
        assert r["ExecutedVersion"] == "$LATEST"
        items = json.loads(r["Body"]["body"])
        assert items == [{"timestamp": {"N": "1700000000"}, "note": {"S": "seed"}}]

    def test_same_handler_writing_is_denied_naming_the_assumed_role_session(self):
        cloud = self.cloud
        cloud.put_function("read-function", "nodejs14.x", "index.handler", fn_dir("node_rw"))
        ok = cloud.invoke("read-function")
        assert "FunctionError" not in ok and json.loads(ok["Body"]["body"])
        r = cloud.invoke("read-function", {"write": True})
        assert r["StatusCode"] == 200
        assert r["FunctionError"] == "Unhandled"
        self.assertEqual(r["Body"]["errorType"], "AccessDeniedException", r["Body"])
        assert r["Body"]["errorMessage"] == denial(session_arn(cloud, "read-function"), "dynamodb:PutItem", TABLE_ARN)
        # Nothing was written.
        assert cloud.ddb().scan(TableName="dynamoTable")["Count"] == 1

    def test_es_module_handler_imports_the_sdk(self):
        cloud = self.cloud
        cloud.put_function("esm", "nodejs20.x", "index.handler", fn_dir("node_esm"))
        r = cloud.invoke("esm")
        self.assertNotIn("FunctionError", r, r["Body"])
        self.assertTrue(r["Body"]["esm"])
        self.assertGreaterEqual(r["Body"]["count"], 1)

    def test_warm_process_is_reused_between_invocations(self):
        cloud = self.cloud
        cloud.put_function("warm", "nodejs20.x", "index.handler", fn_dir("node_rw"))
        first = cloud.invoke("warm")
        second = cloud.invoke("warm")
        assert first["Body"]["pid"] == second["Body"]["pid"]

    def test_environment_is_what_lambda_sets(self):
        cloud = self.cloud
        cloud.put_function("envfn", "nodejs18.x", "index.env", fn_dir("node_fail"), env={"GREETING": "hi"})
        env = cloud.invoke("envfn")["Body"]
        assert env["AWS_LAMBDA_FUNCTION_NAME"] == "envfn"
        assert env["_HANDLER"] == "index.env"
        assert env["AWS_REGION"] == REGION
        assert env["AWS_ENDPOINT_URL"] == cloud.srv.endpoint
        assert env["LAMBDA_TASK_ROOT"] == fn_dir("node_fail")
        assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
        assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
        assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
        assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
        assert env["GREETING"] == "hi"
        assert env["NODE_PATH"].endswith("node_modules")

    def test_localhost_endpoint_reaches_the_function_as_ipv4(self):
        cloud = self.cloud
        cloud.put_function("envfn-localhost", "nodejs20.x", "index.env", fn_dir("node_fail"))
        import boto3
        creds = cloud.srv.root_credentials()
        client = boto3.client("lambda", endpoint_url="http://localhost:%d" % cloud.srv.port, region_name=REGION,
                              aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"])
        env = json.loads(client.invoke(FunctionName="envfn-localhost")["Payload"].read())
        self.assertEqual(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:%d" % cloud.srv.port)

    def test_callback_style_handler_gets_its_context(self):
        cloud = self.cloud
        cloud.put_function("cb", "nodejs16.x", "index.callback", fn_dir("node_fail"))
        r = cloud.invoke("cb")
        assert r["Body"]["via"] == "callback"
        assert r["Body"]["arn"] == function_arn("cb")
        assert 0 < r["Body"]["remaining"] <= 10000
        assert r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]

    def test_unhandled_error_is_reported_as_lambda_does(self):
        cloud = self.cloud
        cloud.put_function("boom", "nodejs20.x", "index.boom", fn_dir("node_fail"))
        r = cloud.invoke("boom", LogType="Tail")
        assert r["StatusCode"] == 200
        assert r["FunctionError"] == "Unhandled"
        assert r["Body"]["errorType"] == "Error"
        assert r["Body"]["errorMessage"] == "boom"
        assert isinstance(r["Body"]["trace"], list) and r["Body"]["trace"][0] == "Error: boom"
        assert "about to fail" in r["Log"]
        assert "Invoke Error" in r["Log"]

    def test_timeout_kills_the_process_with_lambdas_message(self):
        cloud = self.cloud
        cloud.put_function("slow", "nodejs20.x", "index.sleep", fn_dir("node_fail"), timeout=1)
        t0 = time.time()
        r = cloud.invoke("slow", {"ms": 30000}, LogType="Tail")
        elapsed = time.time() - t0
        assert elapsed < 10
        assert r["FunctionError"] == "Unhandled"
        assert r["Body"]["errorType"] == "Sandbox.Timedout"
        assert r["Body"]["errorMessage"].endswith("Task timed out after 1.00 seconds")
        assert "Task timed out after 1.00 seconds" in r["Log"]
        pid = int(r["Log"].split("sleeping pid=")[1].split()[0])
        time.sleep(0.2)
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)
        # The next invocation starts a fresh process and completes.
        cloud.put_function("slow", "nodejs20.x", "index.sleep", fn_dir("node_fail"), timeout=5)
        assert cloud.invoke("slow", {"ms": 10})["Body"] == "woke"

    def test_crashing_runtime_is_reported_as_exit_error(self):
        cloud = self.cloud
        cloud.put_function("crash", "nodejs20.x", "index.crash", fn_dir("node_fail"))
        r = cloud.invoke("crash")
        assert r["FunctionError"] == "Unhandled"
        assert r["Body"]["errorType"] == "Runtime.ExitError"
        assert r["Body"]["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")

    def test_missing_handler_module_is_an_import_error(self):
        cloud = self.cloud
        cloud.put_function("nomod", "nodejs20.x", "missing.handler", fn_dir("node_fail"))
        r = cloud.invoke("nomod")
        assert r["FunctionError"] == "Unhandled"
        assert r["Body"]["errorType"] == "Runtime.ImportModuleError"
        assert "Cannot find module 'missing'" in r["Body"]["errorMessage"]

    def test_log_tail_frames_the_invocation(self):
        cloud = self.cloud
        cloud.put_function("tail", "nodejs20.x", "index.handler", fn_dir("node_rw"))
        r = cloud.invoke("tail", LogType="Tail")
        rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        log = r["Log"]
        lines = log.strip().split("\n")
        assert lines[0].startswith("START RequestId: ") and lines[0].endswith(" Version: $LATEST")
        inv_id = lines[0].split()[2]
        assert any(("\t%s\tINFO\tscanning dynamoTable pid" % inv_id) in l for l in lines)
        assert lines[-2] == "END RequestId: %s" % inv_id
        assert lines[-1].startswith("REPORT RequestId: %s\tDuration: " % inv_id)
        assert "\tBilled Duration: " in lines[-1] and "\tMemory Size: 128 MB\t" in lines[-1]
        assert rid

    def test_python_handler_reads_and_its_write_is_denied(self):
        cloud = self.cloud
        cloud.put_function("pyfn", "python3.12", "app.handler", fn_dir("python_rw"))
        r = cloud.invoke("pyfn", LogType="Tail")
        assert "FunctionError" not in r, r["Body"]
        assert r["Body"]["count"] >= 1
        assert "scanned" in r["Log"] and "as pyfn" in r["Log"]
        w = cloud.invoke("pyfn", {"write": True})
        assert w["FunctionError"] == "Unhandled"
        assert w["Body"]["errorType"] == "ClientError"
        assert w["Body"]["errorMessage"] == (
            "An error occurred (AccessDeniedException) when calling the PutItem operation: "
            + denial(session_arn(cloud, "pyfn"), "dynamodb:PutItem", TABLE_ARN))

    def test_python_result_that_is_not_json_is_a_marshal_error(self):
        cloud = self.cloud
        cloud.put_function("pymarshal", "python3.11", "app.unmarshallable", fn_dir("python_rw"))
        r = cloud.invoke("pymarshal")
        assert r["FunctionError"] == "Unhandled"
        assert r["Body"]["errorType"] == "Runtime.MarshalError"
        assert r["Body"]["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"

    def test_c_handler_on_provided_runtime_signs_its_own_scan(self):
        cloud = self.cloud
        cloud.put_function("cfn", "provided.al2023", "bootstrap", cloud.c_code_dir())
        r = cloud.invoke("cfn", {"hello": "c"}, LogType="Tail")
        assert "FunctionError" not in r, r["Body"]
        assert r["Body"]["echo"] == {"hello": "c"}
        assert r["Body"]["function"] == "cfn"
        assert r["Body"]["scan_status"] == 200
        assert r["Body"]["scan"]["Count"] >= 1
        assert "c handler" in r["Log"] and function_arn("cfn") in r["Log"]
        f = cloud.invoke("cfn", {"fail": "nope"})
        assert f["FunctionError"] == "Unhandled"
        assert f["Body"] == {"errorType": "CHandlerError", "errorMessage": "nope", "trace": []}

    def test_provided_runtime_without_bootstrap_is_an_entrypoint_error(self):
        cloud = self.cloud
        cloud.put_function("noboot", "provided.al2", "bootstrap", tempfile.mkdtemp(prefix="lc_noboot_"))
        r = cloud.invoke("noboot")
        assert r["FunctionError"] == "Unhandled"
        assert r["Body"]["errorType"] == "Runtime.InvalidEntrypoint"

    def test_function_not_found(self):
        cloud = self.cloud
        with self.assertRaises(ClientError) as e:
            cloud.lambda_client().invoke(FunctionName="nope", Payload=b"{}")
        err = e.exception.response
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert err["Error"]["Code"] == "ResourceNotFoundException"
        assert err["Error"]["Message"] == "Function not found: " + function_arn("nope")

    def test_request_over_6_mb_is_refused(self):
        with self.assertRaises(ClientError) as e:
            self.cloud.lambda_client().invoke(FunctionName="read-function", Payload=b'"' + b"x" * 6291456 + b'"')
        err = e.exception.response
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 413
        assert err["Error"]["Code"] == "RequestTooLargeException"
        assert err["Error"]["Message"] == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"

    def test_user_without_invoke_permission_is_denied(self):
        cloud = self.cloud
        creds = {"AccessKeyId": cloud.outputs["accessToken"], "SecretAccessKey": cloud.outputs["secretAccessToken"]}
        with self.assertRaises(ClientError) as e:
            cloud.lambda_client(creds).invoke(FunctionName="read-function", Payload=b"{}")
        err = e.exception.response
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert err["Error"]["Code"] == "AccessDeniedException"
        assert err["Error"]["Message"] == denial("arn:aws:iam::%s:user/read-table-user" % ACCOUNT,
                                                 "lambda:InvokeFunction", function_arn("read-function"))

    def test_event_and_dry_run_invocations(self):
        cloud = self.cloud
        cloud.put_function("ev", "nodejs20.x", "index.handler", fn_dir("node_rw"))
        c = cloud.lambda_client()
        r = c.invoke(FunctionName="ev", InvocationType="Event", Payload=b"{}")
        assert r["StatusCode"] == 202
        r = c.invoke(FunctionName="ev", InvocationType="DryRun", Payload=b"{}")
        assert r["StatusCode"] == 204
        log = os.path.join(cloud.state, "logs", "lambda", "ev.log")
        deadline = time.time() + 20
        while time.time() < deadline and "REPORT RequestId" not in read_text(log):
            time.sleep(0.1)
        assert "REPORT RequestId" in read_text(log)

    def test_get_function_and_list_functions(self):
        cloud = self.cloud
        c = cloud.lambda_client()
        conf = c.get_function_configuration(FunctionName="read-function")
        assert conf["FunctionArn"] == function_arn("read-function")
        assert conf["Runtime"] == "nodejs14.x" and conf["Handler"] == "index.handler"
        assert conf["Environment"]["Variables"]["DYNAMO_TABLE_NAME"] == "dynamoTable"
        f = c.get_function(FunctionName="read-function")
        assert f["Configuration"]["FunctionName"] == "read-function"
        names = [x["FunctionName"] for x in c.list_functions()["Functions"]]
        assert "read-function" in names

    def test_signed_query_strings_and_encoded_paths_verify(self):
        # SigV4 signs the request-target as sent: a function ARN in the path is percent-encoded and
        # Qualifier/MaxItems travel in the query string; both must reach the verifier unchanged.
        c = self.cloud.lambda_client()
        arn = function_arn("read-function")
        assert c.get_function(FunctionName=arn)["Configuration"]["FunctionArn"] == arn
        r = c.invoke(FunctionName="read-function", Qualifier="$LATEST", Payload=b"{}")
        assert r["StatusCode"] == 200 and "FunctionError" not in r
        assert c.list_functions(MaxItems=1)["Functions"]  # the query string verified (paging is not implemented)

    def test_permissions_add_get_remove(self):
        cloud = self.cloud
        c = cloud.lambda_client()
        c.add_permission(FunctionName="read-function", StatementId="s3", Action="lambda:InvokeFunction",
                         Principal="s3.amazonaws.com", SourceAccount=ACCOUNT)
        pol = json.loads(c.get_policy(FunctionName="read-function")["Policy"])
        st = [s for s in pol["Statement"] if s["Sid"] == "s3"][0]
        assert st["Principal"] == {"Service": "s3.amazonaws.com"}
        assert st["Resource"] == function_arn("read-function")
        c.remove_permission(FunctionName="read-function", StatementId="s3")
        with self.assertRaises(ClientError):
            c.get_policy(FunctionName="read-function")

    def test_server_shutdown_stops_every_runtime_process(self):
        c = Cloud()
        try:
            c.put_function("stopme", "nodejs20.x", "index.handler", fn_dir("node_rw"))
            pid = c.invoke("stopme")["Body"]["pid"]
            os.kill(pid, 0)
            assert c.srv.stop() == 0
            time.sleep(0.2)
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)
            # The trail has the Invoke by root and the function's own Scan by its role session.
            rows = c.srv.trail()
            invokes = [r for r in rows if r["service"] == "lambda" and r["operation"] == "Invoke"]
            self.assertEqual(len(invokes), 1)
            self.assertEqual(invokes[0]["action"], "lambda:InvokeFunction")
            self.assertIn(function_arn("stopme"), invokes[0]["resources"])
            scans = [r for r in rows if r["service"] == "dynamodb" and r["operation"] == "Scan"]
            self.assertEqual(len(scans), 1)
            self.assertEqual(scans[0]["principal_arn"], session_arn(c, "stopme"))
            self.assertEqual(scans[0]["decision"], "Allowed")
        finally:
            c.close()


class ShutdownTest(unittest.TestCase):
    def test_stopping_the_server_ends_a_long_invocation_at_once(self):
        import threading
        c = Cloud()
        try:
            c.put_function("long", "nodejs20.x", "index.sleep", fn_dir("node_fail"), timeout=120)
            c.invoke("long", {"ms": 1})
            result = {}
            t = threading.Thread(target=lambda: result.update(r=c.invoke("long", {"ms": 100000})))
            t.start()
            time.sleep(1.5)
            t0 = time.time()
            self.assertEqual(c.srv.stop(), 0)
            self.assertLess(time.time() - t0, 8)
            t.join(30)
            r = result["r"]
            self.assertEqual(r["FunctionError"], "Unhandled")
            self.assertEqual(r["Body"]["errorType"], "Runtime.ExitError")
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
