"""Query-protocol services (STS, IAM) through the same pipeline: their own error family and envelope."""
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from lcserver import ServerTestCase, cdk_read_policy

READER = "arn:aws:iam::000000000000:user/read-table-user"


class QueryProtocol(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader = cls.srv.create_user("read-table-user", cdk_read_policy("dynamoTable"))

    def failure(self, call):
        with self.assertRaises(ClientError) as e:
            call()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_get_caller_identity_names_root_and_the_user(self):
        me = self.srv.boto3("sts").get_caller_identity()
        self.assertEqual(me["Arn"], "arn:aws:iam::000000000000:root")
        self.assertEqual(me["Account"], "000000000000")
        me = self.srv.boto3("sts", self.reader).get_caller_identity()
        self.assertEqual(me["Arn"], READER)
        self.assertEqual(len(me["ResponseMetadata"]["RequestId"]), 36)

    def test_unknown_key_is_invalid_client_token_id_403(self):
        sts = self.srv.boto3("sts", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x" * 40})
        self.assertEqual(self.failure(sts.get_caller_identity),
                         ("InvalidClientTokenId", 403, "The security token included in the request is invalid"))

    def test_wrong_secret_is_signature_does_not_match_403(self):
        creds = dict(self.srv.root_credentials(), SecretAccessKey="w" * 40)
        code, status, message = self.failure(self.srv.boto3("iam", creds).list_users)
        self.assertEqual((code, status), ("SignatureDoesNotMatch", 403))
        self.assertTrue(message.startswith("The request signature we calculated does not match the signature you "
                                           "provided. Check your AWS Secret Access Key and signing method."))

    def test_iam_calls_of_the_cdk_reader_are_denied(self):
        iam = self.srv.boto3("iam", self.reader)
        for action, call in [("iam:ListUsers", iam.list_users),
                             ("iam:CreateUser", lambda: iam.create_user(UserName="mallory")),
                             ("iam:CreateAccessKey", lambda: iam.create_access_key(UserName="read-table-user"))]:
            with self.subTest(action=action):
                code, status, message = self.failure(call)
                self.assertEqual((code, status), ("AccessDenied", 403))
                self.assertTrue(message.startswith("User: %s is not authorized to perform: %s on resource: "
                                                   % (READER, action)), message)
                self.assertTrue(message.endswith("because no identity-based policy allows the %s action" % action),
                                message)

    def test_unsigned_query_request_is_refused_with_the_xml_envelope(self):
        req = urllib.request.Request(self.srv.endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "Host": "sts.amazonaws.com"}, method="POST")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        body = e.exception.read().decode()
        self.assertEqual(e.exception.code, 403)
        self.assertTrue(body.startswith('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n'
                                        "    <Type>Sender</Type>\n"), body)
        self.assertIn("<Code>MissingAuthenticationToken</Code>", body)


if __name__ == "__main__":
    unittest.main()
