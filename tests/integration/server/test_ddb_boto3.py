"""Every DynamoDB operation of issue 4 through boto3 against a real `leastcloud serve` (root key)."""
import unittest

from botocore.exceptions import ClientError

from lcserver import ServerTestCase


class DynamoDBOperations(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = c = cls.srv.boto3("dynamodb")
        c.create_table(
            TableName="music",
            KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"},
                                  {"AttributeName": "n", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")
        songs = [{"PutRequest": {"Item": {"artist": {"S": "Q"}, "n": {"N": str(i)}, "t": {"S": "s%02d" % i}}}}
                 for i in range(20)]
        for i in range(0, 20, 10):
            r = c.batch_write_item(RequestItems={"music": songs[i:i + 10]})
            assert r["UnprocessedItems"] == {}

    def error(self, call):
        with self.assertRaises(ClientError) as e:
            call()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def test_describe_table_reports_the_key_schema(self):
        t = self.ddb.describe_table(TableName="music")["Table"]
        self.assertEqual(t["TableName"], "music")
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/music")
        self.assertEqual({k["AttributeName"]: k["KeyType"] for k in t["KeySchema"]}, {"artist": "HASH", "n": "RANGE"})

    def test_list_tables_is_paginated(self):
        for name in ("lt-a", "lt-b", "lt-c"):
            self.ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                                  BillingMode="PAY_PER_REQUEST")
        first = self.ddb.list_tables(Limit=2)
        self.assertEqual(first["TableNames"], ["lt-a", "lt-b"])
        self.assertEqual(first["LastEvaluatedTableName"], "lt-b")
        rest = self.ddb.list_tables(ExclusiveStartTableName="lt-b")
        self.assertIn("lt-c", rest["TableNames"])
        self.assertNotIn("lt-a", rest["TableNames"])
        names = [n for page in self.ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1})
                 for n in page["TableNames"]]
        self.assertEqual(names, sorted(names))
        self.assertLessEqual({"lt-a", "lt-b", "lt-c", "music"}, set(names))

    def test_delete_table_then_describe_is_resource_not_found(self):
        self.ddb.create_table(TableName="gone", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        self.assertEqual(self.ddb.delete_table(TableName="gone")["TableDescription"]["TableName"], "gone")
        self.assertEqual(self.error(lambda: self.ddb.describe_table(TableName="gone")),
                         ("ResourceNotFoundException", 400, "Requested resource not found: Table: gone not found"))

    def test_create_existing_table_is_resource_in_use(self):
        code, status, _ = self.error(lambda: self.ddb.create_table(
            TableName="music", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST"))
        self.assertEqual((code, status), ("ResourceInUseException", 400))

    def test_put_get_delete_with_return_values(self):
        item = {"artist": {"S": "Bach"}, "n": {"N": "1"}, "title": {"S": "Air"}, "year": {"N": "1731"},
                "tags": {"SS": ["baroque", "suite"]}, "raw": {"B": b"\x00\xff"}, "ok": {"BOOL": True},
                "none": {"NULL": True}, "list": {"L": [{"S": "x"}, {"N": "2"}]},
                "map": {"M": {"inner": {"S": "y"}}}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"a", b"b"]}}
        key = {"artist": {"S": "Bach"}, "n": {"N": "1"}}
        self.assertNotIn("Attributes", self.ddb.put_item(TableName="music", Item=item, ReturnValues="ALL_OLD"))
        got = self.ddb.get_item(TableName="music", Key=key, ConsistentRead=True)["Item"]
        self.assertEqual(got["title"], {"S": "Air"})
        self.assertEqual(got["raw"], {"B": b"\x00\xff"})
        self.assertEqual(sorted(got["tags"]["SS"]), ["baroque", "suite"])
        self.assertEqual(got["map"], {"M": {"inner": {"S": "y"}}})
        self.assertEqual(got["list"], {"L": [{"S": "x"}, {"N": "2"}]})
        self.assertEqual((got["ok"], got["none"]), ({"BOOL": True}, {"NULL": True}))
        r = self.ddb.put_item(TableName="music", Item=dict(item, title={"S": "Air 2"}), ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"]["title"], {"S": "Air"})
        r = self.ddb.delete_item(TableName="music", Key=key, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"]["title"], {"S": "Air 2"})
        self.assertNotIn("Item", self.ddb.get_item(TableName="music", Key=key))

    def test_get_item_projection_with_attribute_names(self):
        self.ddb.put_item(TableName="music", Item={"artist": {"S": "Satie"}, "n": {"N": "1"},
                                                   "name": {"S": "Gymnopedie"}, "year": {"N": "1888"}})
        got = self.ddb.get_item(TableName="music", Key={"artist": {"S": "Satie"}, "n": {"N": "1"}},
                                ProjectionExpression="#nm, #y", ExpressionAttributeNames={"#nm": "name", "#y": "year"})
        self.assertEqual(got["Item"], {"name": {"S": "Gymnopedie"}, "year": {"N": "1888"}})

    def test_numbers_keep_38_digits(self):
        big = "1234567890123456789012345678901234567.8"
        self.ddb.put_item(TableName="music", Item={"artist": {"S": "Num"}, "n": {"N": "1"}, "v": {"N": big}})
        got = self.ddb.get_item(TableName="music", Key={"artist": {"S": "Num"}, "n": {"N": "1"}})
        self.assertEqual(got["Item"]["v"]["N"], big)

    def test_query_key_conditions(self):
        cases = [
            ("artist = :a AND n = :x", {":x": {"N": "5"}}, [5]),
            ("artist = :a AND n < :x", {":x": {"N": "3"}}, [0, 1, 2]),
            ("artist = :a AND n <= :x", {":x": {"N": "2"}}, [0, 1, 2]),
            ("artist = :a AND n > :x", {":x": {"N": "17"}}, [18, 19]),
            ("artist = :a AND n >= :x", {":x": {"N": "18"}}, [18, 19]),
            ("artist = :a AND n BETWEEN :x AND :y", {":x": {"N": "3"}, ":y": {"N": "5"}}, [3, 4, 5]),
        ]
        for cond, values, expect in cases:
            with self.subTest(cond=cond):
                r = self.ddb.query(TableName="music", KeyConditionExpression=cond,
                                   ExpressionAttributeValues=dict(values, **{":a": {"S": "Q"}}))
                self.assertEqual([int(i["n"]["N"]) for i in r["Items"]], expect)
                self.assertEqual(r["Count"], len(expect))

    def test_query_begins_with_on_a_string_sort_key(self):
        self.ddb.create_table(TableName="files", KeySchema=[{"AttributeName": "d", "KeyType": "HASH"},
                                                            {"AttributeName": "p", "KeyType": "RANGE"}],
                              AttributeDefinitions=[{"AttributeName": "d", "AttributeType": "S"},
                                                    {"AttributeName": "p", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        for p in ("a/1", "a/2", "b/1", "ab"):
            self.ddb.put_item(TableName="files", Item={"d": {"S": "x"}, "p": {"S": p}})
        r = self.ddb.query(TableName="files", KeyConditionExpression="d = :d AND begins_with(p, :p)",
                           ExpressionAttributeValues={":d": {"S": "x"}, ":p": {"S": "a/"}})
        self.assertEqual([i["p"]["S"] for i in r["Items"]], ["a/1", "a/2"])

    def test_query_backwards_with_limit_and_start_key(self):
        r = self.ddb.query(TableName="music", KeyConditionExpression="#a = :a", ExpressionAttributeNames={"#a": "artist"},
                           ExpressionAttributeValues={":a": {"S": "Q"}}, ScanIndexForward=False, Limit=3)
        self.assertEqual([int(i["n"]["N"]) for i in r["Items"]], [19, 18, 17])
        self.assertEqual(r["LastEvaluatedKey"], {"artist": {"S": "Q"}, "n": {"N": "17"}})
        r2 = self.ddb.query(TableName="music", KeyConditionExpression="artist = :a",
                            ExpressionAttributeValues={":a": {"S": "Q"}}, ScanIndexForward=False, Limit=3,
                            ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual([int(i["n"]["N"]) for i in r2["Items"]], [16, 15, 14])

    def test_query_paginator_visits_every_item_once(self):
        pages = self.ddb.get_paginator("query").paginate(TableName="music", KeyConditionExpression="artist = :a",
                                                         ExpressionAttributeValues={":a": {"S": "Q"}},
                                                         PaginationConfig={"PageSize": 7})
        self.assertEqual([int(i["n"]["N"]) for p in pages for i in p["Items"]], list(range(20)))

    def test_scan_is_paginated_with_limit(self):
        seen, kw = [], {"TableName": "music", "Limit": 6}
        while True:
            r = self.ddb.scan(**kw)
            self.assertLessEqual(r["Count"], 6)
            seen += r["Items"]
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        keys = [(i["artist"]["S"], i["n"]["N"]) for i in seen]
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(sum(1 for a, _ in keys if a == "Q"), 20)

    def test_batch_get_item_with_consumed_capacity(self):
        r = self.ddb.batch_get_item(RequestItems={"music": {"Keys": [{"artist": {"S": "Q"}, "n": {"N": str(i)}}
                                                                     for i in (1, 2, 3)]}},
                                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual(sorted(int(i["n"]["N"]) for i in r["Responses"]["music"]), [1, 2, 3])
        self.assertEqual(r["UnprocessedKeys"], {})
        self.assertEqual(r["ConsumedCapacity"][0]["TableName"], "music")
        self.assertGreater(r["ConsumedCapacity"][0]["CapacityUnits"], 0)

    def test_batch_write_deletes(self):
        key = {"artist": {"S": "Del"}, "n": {"N": "1"}}
        self.ddb.put_item(TableName="music", Item=key)
        r = self.ddb.batch_write_item(RequestItems={"music": [{"DeleteRequest": {"Key": key}}]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertNotIn("Item", self.ddb.get_item(TableName="music", Key=key))

    def test_put_item_return_consumed_capacity(self):
        r = self.ddb.put_item(TableName="music", Item={"artist": {"S": "Cap"}, "n": {"N": "1"}},
                              ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], {"TableName": "music", "CapacityUnits": 1.0})

    def test_item_over_400_kb_is_a_validation_exception(self):
        self.assertEqual(self.error(lambda: self.ddb.put_item(
            TableName="music", Item={"artist": {"S": "Big"}, "n": {"N": "1"}, "blob": {"S": "x" * (401 * 1024)}})),
            ("ValidationException", 400, "Item size has exceeded the maximum allowed size"))

    def test_missing_table_is_resource_not_found(self):
        code, status, _ = self.error(lambda: self.ddb.get_item(TableName="nope", Key={"k": {"S": "a"}}))
        self.assertEqual((code, status), ("ResourceNotFoundException", 400))

    def test_replies_carry_request_id_and_crc32(self):
        h = self.ddb.list_tables()["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual(len(h["x-amzn-requestid"]), 52)
        self.assertTrue(h["x-amz-crc32"].isdigit())
        self.assertEqual(h["content-type"], "application/x-amz-json-1.0")


if __name__ == "__main__":
    unittest.main()
