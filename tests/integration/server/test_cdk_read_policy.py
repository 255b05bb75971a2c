"""The seed's leaked key: a user with CDK's grantReadData policy can read the table and nothing else.

The policy is the statement list of `readTableUserDefaultPolicyFD186BB0` in the real CDK template
(cdk-reference/seed), created directly in the state until the IAM API exists.
"""
import unittest
from botocore.exceptions import ClientError

from lcserver import ServerTestCase, cdk_read_policy, denial, table_arn

USER_ARN = "arn:aws:iam::000000000000:user/read-table-user"
TABLE = "dynamoTable"
KEY = {"timestamp": {"N": "1"}}


def denied_as(test, call, action, resource):
    with test.assertRaises(ClientError) as e:
        call()
    r = e.exception.response
    test.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
    test.assertEqual(r["Error"]["Code"], "AccessDeniedException")
    test.assertEqual(r["Error"]["Message"], denial(USER_ARN, action, resource))


WRITES = [
    ("dynamodb:PutItem", lambda c: c.put_item(TableName=TABLE, Item={"timestamp": {"N": "9"}})),
    ("dynamodb:UpdateItem", lambda c: c.update_item(TableName=TABLE, Key=KEY, UpdateExpression="SET msg = :m",
                                                     ExpressionAttributeValues={":m": {"S": "x"}})),
    ("dynamodb:DeleteItem", lambda c: c.delete_item(TableName=TABLE, Key=KEY)),
    ("dynamodb:BatchWriteItem", lambda c: c.batch_write_item(
        RequestItems={TABLE: [{"PutRequest": {"Item": {"timestamp": {"N": "9"}}}}]})),
    ("dynamodb:DeleteTable", lambda c: c.delete_table(TableName=TABLE)),
    ("dynamodb:UpdateTable", lambda c: c.update_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST")),
]


class CdkReadPolicy(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        root = s.boto3("dynamodb")
        root.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "timestamp", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "timestamp", "AttributeType": "N"}],
                          BillingMode="PAY_PER_REQUEST")
        root.create_table(TableName="other", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
        for i in range(1, 6):
            root.put_item(TableName=TABLE, Item={"timestamp": {"N": str(i)}, "msg": {"S": "m%d" % i}})
        user = s.create_user("read-table-user", cdk_read_policy(TABLE), "readTableUserDefaultPolicyFD186BB0")
        cls.reader = s.boto3("dynamodb", user)

    def test_1_get_item_passes(self):
        self.assertEqual(self.reader.get_item(TableName=TABLE, Key=KEY)["Item"]["msg"], {"S": "m1"})

    def test_1_query_passes(self):
        r = self.reader.query(TableName=TABLE, KeyConditionExpression="#t = :t",
                              ExpressionAttributeNames={"#t": "timestamp"}, ExpressionAttributeValues={":t": {"N": "2"}})
        self.assertEqual(r["Count"], 1)

    def test_1_scan_passes(self):
        self.assertEqual(self.reader.scan(TableName=TABLE)["Count"], 5)

    def test_1_batch_get_item_passes(self):
        r = self.reader.batch_get_item(RequestItems={TABLE: {"Keys": [KEY, {"timestamp": {"N": "3"}}]}})
        self.assertEqual(len(r["Responses"][TABLE]), 2)

    def test_1_describe_table_passes(self):
        self.assertEqual(self.reader.describe_table(TableName=TABLE)["Table"]["TableName"], TABLE)

    def test_2_writes_and_table_changes_are_denied(self):
        for action, call in WRITES:
            with self.subTest(action=action):
                denied_as(self, lambda: call(self.reader), action, table_arn(TABLE))

    def test_2_create_table_is_denied_on_the_new_table(self):
        denied_as(self, lambda: self.reader.create_table(
            TableName="evil", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST"),
            "dynamodb:CreateTable", table_arn("evil"))

    def test_2_list_tables_is_denied_on_star(self):
        denied_as(self, lambda: self.reader.list_tables(), "dynamodb:ListTables", "*")

    def test_2_reading_another_table_is_denied(self):
        denied_as(self, lambda: self.reader.get_item(TableName="other", Key={"k": {"S": "a"}}), "dynamodb:GetItem",
                  table_arn("other"))

    def test_3_nothing_was_written_and_the_trail_names_the_policy(self):
        root = self.srv.boto3("dynamodb")
        self.assertEqual(root.scan(TableName=TABLE)["Count"], 5)
        self.assertEqual(root.get_item(TableName=TABLE, Key=KEY)["Item"]["msg"], {"S": "m1"})
        self.assertEqual(self.srv.stop(), 0)
        rows = [r for r in self.srv.trail() if r["principal_arn"] == USER_ARN]
        self.srv.start()
        allowed = {r["operation"] for r in rows if r["decision"] == "Allowed"}
        self.assertEqual(allowed, {"GetItem", "Query", "Scan", "BatchGetItem", "DescribeTable"})
        denied = {r["operation"] for r in rows if r["decision"] != "Allowed"}
        self.assertLessEqual({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "DeleteTable", "UpdateTable",
                              "CreateTable", "ListTables"}, denied)
        for r in rows:
            if r["decision"] == "Allowed":
                self.assertEqual(r["policy"], "read-table-user/readTableUserDefaultPolicyFD186BB0")
                self.assertEqual(r["statement"], 0)
            else:
                self.assertEqual((r["decision"], r["error_code"]), ("ImplicitlyDenied", "AccessDeniedException"))


if __name__ == "__main__":
    unittest.main()
