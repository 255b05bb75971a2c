"""aws CLI v1 (image Python) and v2 (Debian's /usr/bin/aws) against the server."""
import json
import re
import shutil
import subprocess

import unittest

from lcserver import ServerTestCase, cdk_read_policy, denial, table_arn

CLIS = {"v1": shutil.which("aws", path="/root/.pyenv/shims:/usr/local/bin") or "aws", "v2": "/usr/bin/aws"}




def cli_version(path):
    r = subprocess.run([path, "--version"], capture_output=True, text=True)
    return (r.stdout + r.stderr).split()[0] if r.returncode == 0 else ""


def aws(srv, cli, *args, creds=None, ok=True):
    r = subprocess.run([CLIS[cli], "--endpoint-url", srv.endpoint, "--output", "json"] + list(args), env=srv.cli_env(creds), capture_output=True,
                       text=True, timeout=120)
    if ok:
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip() else {}
    assert r.returncode != 0
    return r.stderr


class AwsCli(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        s.boto3("dynamodb").create_table(
            TableName="dynamoTable", KeySchema=[{"AttributeName": "timestamp", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "timestamp", "AttributeType": "N"}], BillingMode="PAY_PER_REQUEST")
        s.reader = s.create_user("read-table-user", cdk_read_policy("dynamoTable"))

    def test_cli_drives_every_operation(self):
        srv = self.srv
        for cli in ("v1", "v2"):
            with self.subTest(cli=cli):
                assert cli_version(CLIS[cli]).startswith("aws-cli/%s." % cli[1])
                t = "cli-" + cli
                aws(srv, cli, "dynamodb", "create-table", "--table-name", t, "--billing-mode", "PAY_PER_REQUEST",
                    "--attribute-definitions", "AttributeName=p,AttributeType=S", "AttributeName=s,AttributeType=N",
                    "--key-schema", "AttributeName=p,KeyType=HASH", "AttributeName=s,KeyType=RANGE")
                assert aws(srv, cli, "dynamodb", "describe-table", "--table-name", t)["Table"]["TableName"] == t
                assert t in aws(srv, cli, "dynamodb", "list-tables")["TableNames"]
                aws(srv, cli, "dynamodb", "put-item", "--table-name", t, "--item",
                    json.dumps({"p": {"S": "a"}, "s": {"N": "0"}, "v": {"S": "v0"}}))
                aws(srv, cli, "dynamodb", "batch-write-item", "--request-items", json.dumps(
                    {t: [{"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": str(i)}, "v": {"S": "v%d" % i}}}}
                         for i in range(1, 5)]}))
                got = aws(srv, cli, "dynamodb", "get-item", "--table-name", t, "--consistent-read", "--key",
                          json.dumps({"p": {"S": "a"}, "s": {"N": "3"}}))
                assert got["Item"]["v"] == {"S": "v3"}
                q = aws(srv, cli, "dynamodb", "query", "--table-name", t, "--key-condition-expression", "p = :p AND s >= :s",
                        "--expression-attribute-values", json.dumps({":p": {"S": "a"}, ":s": {"N": "2"}}))
                assert [i["s"]["N"] for i in q["Items"]] == ["2", "3", "4"]
                # The CLI paginates scans itself with --page-size.
                sc = aws(srv, cli, "dynamodb", "scan", "--table-name", t, "--page-size", "2")
                assert sc["Count"] == 5
                aws(srv, cli, "dynamodb", "batch-write-item", "--request-items", json.dumps(
                    {t: [{"PutRequest": {"Item": {"p": {"S": "b"}, "s": {"N": "1"}}}}]}))
                bg = aws(srv, cli, "dynamodb", "batch-get-item", "--request-items", json.dumps(
                    {t: {"Keys": [{"p": {"S": "b"}, "s": {"N": "1"}}, {"p": {"S": "a"}, "s": {"N": "0"}}]}}))
                assert len(bg["Responses"][t]) == 2
                old = aws(srv, cli, "dynamodb", "delete-item", "--table-name", t, "--return-values", "ALL_OLD", "--key",
                          json.dumps({"p": {"S": "a"}, "s": {"N": "0"}}))
                assert old["Attributes"]["v"] == {"S": "v0"}
                aws(srv, cli, "dynamodb", "delete-table", "--table-name", t)

    def test_cli_shows_aws_denial_for_the_cdk_reader(self):
        srv = self.srv
        for cli in ("v1", "v2"):
            with self.subTest(cli=cli):
                aws(srv, cli, "dynamodb", "scan", "--table-name", "dynamoTable", creds=srv.reader)
                err = aws(srv, cli, "dynamodb", "put-item", "--table-name", "dynamoTable", "--item",
                          json.dumps({"timestamp": {"N": "1"}}), creds=srv.reader, ok=False)
                expect = denial("arn:aws:iam::000000000000:user/read-table-user", "dynamodb:PutItem", table_arn("dynamoTable"))
                # v2 adds "(reached max retries: 0)" before the colon.
                assert re.search(r"An error occurred \(AccessDeniedException\) when calling the PutItem operation"
                                 r"( \(reached max retries: \d+\))?: " + re.escape(expect), err), err

    def test_cli_unknown_key(self):
        srv = self.srv
        for cli in ("v1", "v2"):
            with self.subTest(cli=cli):
                err = aws(srv, cli, "dynamodb", "list-tables", creds={"AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                                                                      "SecretAccessKey": "x" * 40}, ok=False)
                assert re.search(r"An error occurred \(UnrecognizedClientException\) when calling the ListTables "
                                 r"operation( \(reached max retries: \d+\))?: The security token included in the "
                                 r"request is invalid\.", err), err


if __name__ == "__main__":
    unittest.main()
