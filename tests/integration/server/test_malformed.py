"""Malformed input gets AWS's error with a useful message, and the connection stays usable."""
import http.client
import json
import socket

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import unittest

from lcserver import ServerTestCase




def sign(srv, body, target):
    req = botocore.awsrequest.AWSRequest(method="POST", url=srv.endpoint + "/", data=body, headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    c = srv.root_credentials()
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(c["AccessKeyId"], c["SecretAccessKey"]),
                            "dynamodb", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def send(srv, body, target="DynamoDB_20120810.GetItem", conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    conn.request("POST", "/", body=body, headers=sign(srv, body, target))
    r = conn.getresponse()
    data = r.read()
    if own:
        conn.close()
    return r.status, json.loads(data) if data else None, r


def check(status, body, code, words=()):
    assert status == 400, body
    assert body["__type"].endswith("#" + code), body
    message = body.get("message") or body.get("Message") or ""
    assert message, "no message in %r" % body
    for w in words:
        assert w in message, message


class MalformedInput(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv.boto3("dynamodb").create_table(
            TableName="tbl", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")

    def test_bad_json(self):
        srv = self.srv
        status, body, _ = send(srv, b'{"TableName": "tbl", "Key": ')
        check(status, body, "SerializationException", ["not valid JSON"])

    def test_truncated_body(self):
        srv = self.srv
        status, body, _ = send(srv, b'{"TableName":"tbl","Key":{"k":{"S":"a')
        check(status, body, "SerializationException", ["not valid JSON"])

    def test_bad_utf8(self):
        srv = self.srv
        status, body, _ = send(srv, b'{"TableName":"tbl","Key":{"k":{"S":"\xff\xfe"}}}')
        check(status, body, "SerializationException", ["UTF-8"])

    def test_array_body(self):
        srv = self.srv
        status, body, _ = send(srv, b'[]')
        check(status, body, "SerializationException", ["list"])

    def test_wrong_type_for_table_name(self):
        srv = self.srv
        status, body, _ = send(srv, b'{"TableName": 5, "Key": {"k": {"S": "a"}}}')
        assert status == 400
        assert body["__type"].split("#")[1] in ("SerializationException", "ValidationException")
        assert body.get("message") or body.get("Message")

    def test_missing_key_is_validation(self):
        srv = self.srv
        status, body, _ = send(srv, b'{"TableName": "tbl"}')
        check(status, body, "ValidationException")

    def test_bad_attribute_value_is_validation(self):
        srv = self.srv
        status, body, _ = send(srv, b'{"TableName":"tbl","Item":{"k":{"S":"a"},"v":{"N":"not-a-number"}}}',
                               "DynamoDB_20120810.PutItem")
        check(status, body, "ValidationException")

    def test_unknown_operation(self):
        srv = self.srv
        status, body, _ = send(srv, b'{}', "DynamoDB_20120810.DropEverything")
        check(status, body, "UnknownOperationException", ["DropEverything"])

    def test_unknown_target_prefix(self):
        srv = self.srv
        status, body, _ = send(srv, b'{}', "Nope_20120810.GetItem")
        assert status == 400
        assert body["__type"] == "com.amazon.coral.service#UnknownOperationException"

    def test_huge_body_is_answered_and_the_connection_survives(self):
        srv = self.srv
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
        big = b'{"TableName":"tbl","Item":{"k":{"S":"' + b"x" * (16 * 1024 * 1024 + 10) + b'"}}}'
        status, body, _ = send(srv, big, "DynamoDB_20120810.PutItem", conn)
        assert status == 413
        assert body["__type"] == "com.amazon.coral.service#RequestEntityTooLarge"
        assert "exceeds the maximum of 16777216 bytes" in body["message"]
        # Same connection, next request: still served.
        status, body, _ = send(srv, b'{"TableName":"tbl","Key":{"k":{"S":"a"}}}', conn=conn)
        assert status == 200 and body == {}
        conn.close()

    def test_client_that_hangs_up_mid_body_does_not_hurt_the_server(self):
        srv = self.srv
        body = b'{"TableName":"tbl","Key":{"k":{"S":"a"}}}'
        headers = sign(srv, body, "DynamoDB_20120810.GetItem")
        s = socket.create_connection(("127.0.0.1", srv.port))
        head = "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n" % (srv.port, len(body))
        head += "".join("%s: %s\r\n" % kv for kv in headers.items() if kv[0].lower() != "host")
        s.sendall(head.encode() + b"\r\n" + body[:10])
        s.close()
        status, got, _ = send(srv, body)
        assert status == 200

    def test_garbage_http_gets_an_http_error_not_a_crash(self):
        srv = self.srv
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"\x16\x03\x01garbage\r\n\r\n")
        s.settimeout(5)
        try:
            s.recv(100)
        except OSError:
            pass
        s.close()
        status, _, _ = send(srv, b'{"TableName":"tbl","Key":{"k":{"S":"a"}}}')
        assert status == 200


if __name__ == "__main__":
    unittest.main()
