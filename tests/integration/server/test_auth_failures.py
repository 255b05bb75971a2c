"""Each authentication failure answered with AWS's exact code, status and message (AWS-BEHAVIOUR.md 2.5)."""
import datetime
import json
import urllib.error
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import unittest
from botocore.exceptions import ClientError

from lcserver import Server, ServerTestCase


def failure(call):
    try:
        call()
    except ClientError as e:
        r = e.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]
    raise AssertionError("the call succeeded")


def raw(srv, body, headers):
    req = urllib.request.Request(srv.endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def signed(srv, creds, body=b"{}", when=None, target="DynamoDB_20120810.ListTables", extra=None):
    """A request signed with botocore's own signer, optionally as if at `when`."""
    req = botocore.awsrequest.AWSRequest(method="POST", url=srv.endpoint + "/", data=body, headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    c = botocore.credentials.Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken"))
    signer = botocore.auth.SigV4Auth(c, "dynamodb", "us-east-1")
    if when:
        real = botocore.auth.datetime.datetime

        class Fixed(real):
            @classmethod
            def utcnow(cls):
                return when.replace(tzinfo=None)

            @classmethod
            def now(cls, tz=None):
                return when if tz else when.replace(tzinfo=None)

        botocore.auth.datetime.datetime = Fixed
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.datetime.datetime = real
    else:
        signer.add_auth(req)
    headers = dict(req.headers.items())
    headers.update(extra or {})
    return raw(srv, body, headers)


class AuthFailures(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv.boto3("dynamodb").create_table(
            TableName="tbl", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")

    def test_unsigned_request_is_missing_authentication_token(self):
        srv = self.srv
        status, body = raw(srv, b"{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                        "Content-Type": "application/x-amz-json-1.0"})
        assert status == 400
        assert body == {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                        "message": "Request is missing Authentication Token"}

    def test_no_test_test_credentials(self):
        srv = self.srv
        c = srv.boto3("dynamodb", {"AccessKeyId": "test", "SecretAccessKey": "test"})
        e = failure(lambda: c.list_tables())
        assert e == ("UnrecognizedClientException", 400, "The security token included in the request is invalid.")

    def test_unknown_key_is_unrecognized_client(self):
        srv = self.srv
        c = srv.boto3("dynamodb", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x" * 40})
        e = failure(lambda: c.get_item(TableName="tbl", Key={"k": {"S": "a"}}))
        assert e == ("UnrecognizedClientException", 400, "The security token included in the request is invalid.")

    def test_wrong_secret_is_invalid_signature_with_the_canonical_request(self):
        srv = self.srv
        creds = dict(srv.root_credentials(), SecretAccessKey="w" * 40)
        e = failure(lambda: srv.boto3("dynamodb", creds).list_tables())
        code, status, message = e
        assert (code, status) == ("InvalidSignatureException", 400)
        assert message.startswith("The request signature we calculated does not match the signature you provided. "
                                  "Check your AWS Secret Access Key and signing method. Consult the service "
                                  "documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n/\n")
        assert "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in message

    def test_inactive_key_reads_as_unknown(self):
        srv = self.srv
        user = srv.create_user("inactive-user", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]})
        srv.boto3("dynamodb", user).list_tables()
        srv.principal_tool("deactivate", user["AccessKeyId"])
        e = failure(lambda: srv.boto3("dynamodb", user).list_tables())
        assert e == ("UnrecognizedClientException", 400, "The security token included in the request is invalid.")

    def test_expired_session_is_expired_token(self):
        srv = self.srv
        s = srv.create_session("expired-role", "old-session", expired=True)
        e = failure(lambda: srv.boto3("dynamodb", s).list_tables())
        code, status, message = e
        assert status == 400 and code == "ExpiredTokenException"
        assert message == "The security token included in the request is expired"

    def test_session_with_a_wrong_token_is_unrecognized(self):
        srv = self.srv
        s = srv.create_session("token-role", "sess")
        s["SessionToken"] = "IQoJb3JpZ2luX2VjEwrong"
        e = failure(lambda: srv.boto3("dynamodb", s).list_tables())
        assert e == ("UnrecognizedClientException", 400, "The security token included in the request is invalid")

    def test_session_without_its_token_is_refused(self):
        srv = self.srv
        s = srv.create_session("token-role", "sess2")
        del s["SessionToken"]
        e = failure(lambda: srv.boto3("dynamodb", s).list_tables())
        assert e[0] in ("UnrecognizedClientException", "MissingAuthenticationTokenException")

    def test_signature_older_than_15_minutes_is_expired(self):
        srv = self.srv
        when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
        status, body = signed(srv, srv.root_credentials(), when=when)
        assert status == 400
        assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
        stamp = when.strftime("%Y%m%dT%H%M%SZ")
        assert body["message"].startswith("Signature expired: %s is now earlier than " % stamp)
        assert body["message"].endswith(" - 15 min.)")

    def test_signature_from_the_future_is_not_yet_current(self):
        srv = self.srv
        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=20)
        status, body = signed(srv, srv.root_credentials(), when=when)
        assert status == 400
        assert body["message"].startswith("Signature not yet current: %s is still later than " % when.strftime("%Y%m%dT%H%M%SZ"))
        assert body["message"].endswith(" + 15 min.)")

    def test_incomplete_authorization_header(self):
        srv = self.srv
        status, body = raw(srv, b"{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                        "Content-Type": "application/x-amz-json-1.0",
                                        "X-Amz-Date": "20260101T000000Z",
                                        "Authorization": "AWS4-HMAC-SHA256 Signature=abc"})
        assert status == 400
        assert body["__type"] == "com.amazon.coral.service#IncompleteSignatureException"
        assert body["message"].startswith("Authorization header requires 'Credential' parameter. ")

    def test_tampered_body_fails_the_signature(self):
        srv = self.srv
        req = botocore.awsrequest.AWSRequest(method="POST", url=srv.endpoint + "/", data=b'{"Limit":1}', headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"})
        c = srv.root_credentials()
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(c["AccessKeyId"], c["SecretAccessKey"]),
                                "dynamodb", "us-east-1").add_auth(req)
        status, body = raw(srv, b'{"Limit":2}', dict(req.headers.items()))
        assert status == 400
        assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"

    def test_failures_are_in_the_trail(self):
        srv = self.srv
        with Server() as s:
            c = s.boto3("dynamodb", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x" * 40})
            failure(lambda: c.list_tables())
            s.boto3("dynamodb").list_tables()
            assert s.stop() == 0
            rows = s.trail()
        assert [(r["operation"], r["decision"], r["http_status"]) for r in rows] == [
            ("ListTables", "UnrecognizedClientException", 400), ("ListTables", "Allowed", 200)]
        assert rows[0]["key_id"] == "AKIAIOSFODNN7EXAMPLE" and rows[0]["principal_arn"] == ""
        assert rows[1]["principal_arn"] == "arn:aws:iam::000000000000:root"
        assert rows[1]["action"] == "dynamodb:ListTables" and rows[1]["resources"] == '["*"]'


if __name__ == "__main__":
    unittest.main()
