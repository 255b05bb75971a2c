#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ddb_ops: request sequences as boto3 sends them, one
`Operation <JSON>` per line, against fz_hash (id S) and fz_range (pk S, sk N; GSI gsi g S / sk N;
LSI lsi pk / lb B). Run from anywhere; rewrites tests/fuzz/ddb_ops/corpus/seed_*."""
import base64, json, os, glob

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
seeds = {}

def line(op, req):
    return op + " " + json.dumps(req, separators=(",", ":"), ensure_ascii=False)

def seq(name, *lines):
    seeds[name] = "\n".join(line(op, req) for op, req in lines) + "\n"

def b64(b):
    return base64.b64encode(b).decode()

def S(v): return {"S": v}
def N(v): return {"N": v}
def B(v): return {"B": b64(v)}

H, R = "fz_hash", "fz_range"
every = {"id": S("all"), "s": S("text é"), "n": N("-12.5e3"), "b": B(b"\x00\xff\x10"), "t": {"BOOL": True},
         "z": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.50", "-3e2"]},
         "bs": {"BS": [b64(b"\x01"), b64(b"\x02")]}, "l": {"L": [S("x"), N("1"), {"L": []}]},
         "m": {"M": {"k": {"M": {"deep": S("v")}}, "e": {"M": {}}}}}
seq("put_get_all_types", ("PutItem", {"TableName": H, "Item": every}),
    ("GetItem", {"TableName": H, "Key": {"id": S("all")}, "ConsistentRead": True}),
    ("GetItem", {"TableName": H, "Key": {"id": S("all")}, "ProjectionExpression": "#m.k.deep, l[1], ss",
                 "ExpressionAttributeNames": {"#m": "m"}}))
seq("numbers_38_digits",
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("12345678901234567890123456789012345678")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("-0.00000000000000000000000000000000000001")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("9.9999999999999999999999999999999999999E+125")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("1E-130")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("-1E-130")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("0")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("-00.0100")}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("n")}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("n")},
               "ScanIndexForward": False}))
seq("numbers_out_of_range",
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("1E+126")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("1E-131")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("123456789012345678901234567890123456789")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("1e99999999999999999999")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N(" 1")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("0x10")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("NaN")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("n"), "sk": N("1."), "x": N(".5")}}))
ops = [("=", ":a"), ("<", ":a"), ("<=", ":a"), (">", ":a"), (">=", ":a")]
lines = [("PutItem", {"TableName": R, "Item": {"pk": S("q"), "sk": N(str(i)), "v": N(str(i * 7))}}) for i in range(-3, 6)]
for op, v in ops:
    lines.append(("Query", {"TableName": R, "KeyConditionExpression": "#p = :p AND #s %s %s" % (op, v),
                            "ExpressionAttributeNames": {"#p": "pk", "#s": "sk"},
                            "ExpressionAttributeValues": {":p": S("q"), ":a": N("1")}}))
lines.append(("Query", {"TableName": R, "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
                        "ExpressionAttributeValues": {":p": S("q"), ":a": N("-2"), ":b": N("3")}, "ScanIndexForward": False}))
seq("query_every_operator", *lines)
seq("query_begins_with_string_range",
    ("CreateTable", {"TableName": "fz_s", "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"},
     {"AttributeName": "r", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"},
     {"AttributeName": "r", "KeyType": "RANGE"}], "BillingMode": "PAY_PER_REQUEST"}),
    ("PutItem", {"TableName": "fz_s", "Item": {"h": S("x"), "r": S("abc")}}),
    ("PutItem", {"TableName": "fz_s", "Item": {"h": S("x"), "r": S("abd")}}),
    ("PutItem", {"TableName": "fz_s", "Item": {"h": S("x"), "r": S("b")}}),
    ("Query", {"TableName": "fz_s", "KeyConditionExpression": "h = :h AND begins_with(r, :p)",
               "ExpressionAttributeValues": {":h": S("x"), ":p": S("ab")}}),
    ("DescribeTable", {"TableName": "fz_s"}), ("ListTables", {"Limit": 2}),
    ("DeleteTable", {"TableName": "fz_s"}), ("ListTables", {}))
lines = [("PutItem", {"TableName": R, "Item": {"pk": S("p"), "sk": N(str(i)), "g": S("G"), "lb": B(bytes([255 - i, i]))}})
         for i in range(6)]
lines += [("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("p")}, "Limit": 2}),
          ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("p")}, "Limit": 2,
                     "ExclusiveStartKey": "$last"}),
          ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("p")}, "Limit": 2,
                     "ExclusiveStartKey": "$last"}),
          ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("p")}, "Limit": 2,
                     "ExclusiveStartKey": "$last"})]
seq("query_paginate", *lines)
lines2 = lines[:6] + [
    ("Query", {"TableName": R, "IndexName": "gsi", "KeyConditionExpression": "g = :g AND sk > :s",
               "ExpressionAttributeValues": {":g": S("G"), ":s": N("1")}, "Limit": 2}),
    ("Query", {"TableName": R, "IndexName": "gsi", "KeyConditionExpression": "g = :g AND sk > :s",
               "ExpressionAttributeValues": {":g": S("G"), ":s": N("1")}, "Limit": 2, "ExclusiveStartKey": "$last"}),
    ("Query", {"TableName": R, "IndexName": "lsi", "KeyConditionExpression": "pk = :p AND lb < :b",
               "ExpressionAttributeValues": {":p": S("p"), ":b": B(b"\xfc")}, "ScanIndexForward": False, "Limit": 3}),
    ("Query", {"TableName": R, "IndexName": "lsi", "KeyConditionExpression": "pk = :p AND lb < :b",
               "ExpressionAttributeValues": {":p": S("p"), ":b": B(b"\xfc")}, "ScanIndexForward": False, "Limit": 3,
               "ExclusiveStartKey": "$last"}),
    ("Scan", {"TableName": R, "IndexName": "gsi", "Limit": 3}),
    ("Scan", {"TableName": R, "IndexName": "gsi", "Limit": 3, "ExclusiveStartKey": "$last"}),
    ("Scan", {"TableName": R, "IndexName": "lsi", "Select": "COUNT"}),
    ("Query", {"TableName": R, "IndexName": "lsi", "KeyConditionExpression": "pk = :p", "Select": "ALL_ATTRIBUTES",
               "ExpressionAttributeValues": {":p": S("p")}})]
seq("index_queries", *lines2)
seq("scan_filter_segments",
    ("BatchWriteItem", {"RequestItems": {H: [{"PutRequest": {"Item": {"id": S("k%d" % i), "v": N(str(i)), "tag": {"SS": ["a", "b%d" % i]}}}}
                                             for i in range(10)]}}),
    ("Scan", {"TableName": H, "FilterExpression": "v BETWEEN :a AND :b AND contains(tag, :t)",
              "ExpressionAttributeValues": {":a": N("2"), ":b": N("7"), ":t": S("a")}}),
    ("Scan", {"TableName": H, "Segment": 1, "TotalSegments": 3}),
    ("Scan", {"TableName": H, "Limit": 4, "ProjectionExpression": "id", "ReturnConsumedCapacity": "TOTAL"}),
    ("Scan", {"TableName": H, "Limit": 4, "ExclusiveStartKey": "$last", "ReturnConsumedCapacity": "INDEXES"}),
    ("Scan", {"TableName": H, "FilterExpression": "attribute_exists(v) AND NOT attribute_type(tag, :n) OR size(id) > :one",
              "ExpressionAttributeValues": {":n": S("N"), ":one": N("1")}, "Select": "COUNT"}))
seq("batch_get_write",
    ("BatchWriteItem", {"RequestItems": {R: [{"PutRequest": {"Item": {"pk": S("b"), "sk": N(str(i)), "g": S("x")}}} for i in range(5)],
                                         H: [{"PutRequest": {"Item": {"id": S("b")}}}]}, "ReturnConsumedCapacity": "TOTAL"}),
    ("BatchGetItem", {"RequestItems": {R: {"Keys": [{"pk": S("b"), "sk": N("1")}, {"pk": S("b"), "sk": N("1.0E0")}]}}}),
    ("BatchGetItem", {"RequestItems": {R: {"Keys": [{"pk": S("b"), "sk": N("1")}, {"pk": S("b"), "sk": N("4")}],
                                           "ProjectionExpression": "#g", "ExpressionAttributeNames": {"#g": "g"},
                                           "ConsistentRead": True}, H: {"Keys": [{"id": S("b")}, {"id": S("missing")}]}},
                      "ReturnConsumedCapacity": "INDEXES"}),
    ("BatchWriteItem", {"RequestItems": {R: [{"DeleteRequest": {"Key": {"pk": S("b"), "sk": N("1")}}},
                                             {"DeleteRequest": {"Key": {"pk": S("b"), "sk": N("2")}}}]}}))
seq("put_return_values",
    ("PutItem", {"TableName": H, "Item": {"id": S("rv"), "a": N("1")}, "ReturnValues": "ALL_OLD"}),
    ("PutItem", {"TableName": H, "Item": {"id": S("rv"), "a": N("2")}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
    ("DeleteItem", {"TableName": H, "Key": {"id": S("rv")}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES"}),
    ("DeleteItem", {"TableName": H, "Key": {"id": S("rv")}, "ReturnValues": "ALL_OLD"}),
    ("PutItem", {"TableName": H, "Item": {"id": S("rv")}, "ReturnValues": "ALL_NEW"}),
    ("PutItem", {"TableName": H, "Item": {"id": S("rv")}, "ReturnValues": "UPDATED_OLD"}))
seq("conditions",
    ("PutItem", {"TableName": H, "Item": {"id": S("c"), "ver": N("1")}, "ConditionExpression": "attribute_not_exists(id)"}),
    ("PutItem", {"TableName": H, "Item": {"id": S("c"), "ver": N("2")}, "ConditionExpression": "attribute_not_exists(id)"}),
    ("PutItem", {"TableName": H, "Item": {"id": S("c"), "ver": N("2")}, "ConditionExpression": "ver = :v",
                 "ExpressionAttributeValues": {":v": N("1")}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    ("DeleteItem", {"TableName": H, "Key": {"id": S("c")}, "ConditionExpression": "ver IN (:a, :b) AND size(id) < :b",
                    "ExpressionAttributeValues": {":a": N("1"), ":b": N("3")}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("c")}, "Expected": {"id": {"Exists": False}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("c")}, "ConditionExpression": "#unused = :u",
                 "ExpressionAttributeNames": {"#x": "x"}, "ExpressionAttributeValues": {":u": N("1")}}))
# 400 KB counts names and values: "id" + "big" + "blob" + the string = 409600 bytes exactly.
seq("big_item_at_limit",
    ("PutItem", {"TableName": H, "Item": {"id": S("big"), "blob": S("x" * (400 * 1024 - 9))}}),
    ("GetItem", {"TableName": H, "Key": {"id": S("big")}, "ReturnConsumedCapacity": "TOTAL"}),
    ("Scan", {"TableName": H, "ReturnConsumedCapacity": "TOTAL"}))
seq("big_item_over_limit",
    ("PutItem", {"TableName": H, "Item": {"id": S("big"), "blob": S("x" * (400 * 1024 - 8))}}),
    ("GetItem", {"TableName": H, "Key": {"id": S("big")}}))
seq("big_keys",
    ("PutItem", {"TableName": H, "Item": {"id": S("k" * 2048)}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("k" * 2049)}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("p"), "sk": N("1"), "lb": B(b"\x01" * 1024)}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("p"), "sk": N("2"), "lb": B(b"\x01" * 1025)}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("p"), "sk": N("3"), "g": S("é" * 1100)}}))
seq("bad_types",
    ("PutItem", {"TableName": H, "Item": {"id": N("1")}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("")}}),
    ("PutItem", {"TableName": H, "Item": {"x": S("1")}}),
    ("PutItem", {"TableName": H, "Item": {"id": {"S": 1}}}),
    ("PutItem", {"TableName": H, "Item": {"id": {"S": "a", "N": "1"}}}),
    ("PutItem", {"TableName": H, "Item": {"id": {}}}),
    ("PutItem", {"TableName": H, "Item": {"id": {"Q": "a"}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"SS": ["x", "x"]}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"NS": ["1", "1.0"]}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"BS": ["AQ==", "AQ=="]}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"SS": []}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"B": "not base64!"}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"BOOL": "true"}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "s": {"NULL": False}}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "": S("empty name")}}),
    ("PutItem", {"TableName": H, "Item": {"id": S("a"), "e": S(""), "eb": {"B": ""}}}),
    ("PutItem", {"TableName": H, "Item": "string"}),
    ("PutItem", {"TableName": H}),
    ("PutItem", {"Item": {"id": S("a")}}),
    ("PutItem", {"TableName": "nope", "Item": {"id": S("a")}}),
    ("PutItem", {"TableName": "a", "Item": {"id": S("a")}}),
    ("GetItem", {"TableName": R, "Key": {"pk": S("a")}}),
    ("GetItem", {"TableName": R, "Key": {"pk": S("a"), "sk": S("1")}}),
    ("GetItem", {"TableName": R, "Key": {"pk": S("a"), "sk": N("1"), "x": S("y")}}),
    ("DeleteItem", {"TableName": R, "Key": {"pk": S("a"), "sk": {"N": "1", "S": "1"}}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "sk = :s", "ExpressionAttributeValues": {":s": N("1")}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :s", "ExpressionAttributeValues": {":s": N("1")}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :s OR sk = :s", "ExpressionAttributeValues": {":s": S("1")}}),
    ("Query", {"TableName": R, "IndexName": "nope", "KeyConditionExpression": "pk = :s", "ExpressionAttributeValues": {":s": S("1")}}),
    ("Scan", {"TableName": R, "Limit": 0}), ("Scan", {"TableName": R, "Segment": 3, "TotalSegments": 2}),
    ("Scan", {"TableName": R, "ExclusiveStartKey": {"pk": S("x")}}),
    ("Frobnicate", {}), ("ListTables", {"ExclusiveStartTableName": "", "Limit": 101}),
    ("DescribeTable", {"TableName": "x" * 256}), ("DeleteItem", {"TableName": H, "Key": {}}),
    ("BatchWriteItem", {"RequestItems": {}}),
    ("BatchWriteItem", {"RequestItems": {H: [{"PutRequest": {"Item": {"id": S("d")}}}, {"DeleteRequest": {"Key": {"id": S("d")}}}]}}),
    ("BatchWriteItem", {"RequestItems": {H: [{"PutRequest": {"Item": {"id": S("d")}}, "DeleteRequest": {"Key": {"id": S("d")}}}]}}),
    ("BatchGetItem", {"RequestItems": {H: {"Keys": [{"id": S("d")}, {"id": S("d")}]}}}),
    ("BatchGetItem", {"RequestItems": {H: {"Keys": []}}}))
seq("unicode_keys",
    ("PutItem", {"TableName": R, "Item": {"pk": S("ü"), "sk": N("1"), "g": S("\U0001F600"), "lb": B(b"")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("ü"), "sk": N("2"), "g": S("\uffff"), "lb": B(b"\x00")}}),
    ("PutItem", {"TableName": R, "Item": {"pk": S("ü"), "sk": N("3"), "g": S("\U0001F600"), "lb": B(b"\xff")}}),
    ("Query", {"TableName": R, "IndexName": "gsi", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": S("\U0001F600")}}),
    ("Query", {"TableName": R, "IndexName": "lsi", "KeyConditionExpression": "pk = :p AND lb BETWEEN :a AND :b",
               "ExpressionAttributeValues": {":p": S("ü"), ":a": B(b"\x00"), ":b": B(b"\xff")}}),
    ("Query", {"TableName": R, "IndexName": "lsi", "KeyConditionExpression": "pk = :p AND begins_with(lb, :a)",
               "ExpressionAttributeValues": {":p": S("ü"), ":a": B(b"\x00")}}))
seq("legacy_params",
    ("PutItem", {"TableName": R, "Item": {"pk": S("l"), "sk": N("1"), "a": S("x")}}),
    ("GetItem", {"TableName": R, "Key": {"pk": S("l"), "sk": N("1")}, "AttributesToGet": ["a", "sk"]}),
    ("Query", {"TableName": R, "KeyConditions": {"pk": {"AttributeValueList": [S("l")], "ComparisonOperator": "EQ"}}}),
    ("Scan", {"TableName": R, "ScanFilter": {"a": {"AttributeValueList": [S("x")], "ComparisonOperator": "EQ"}}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("l")},
               "QueryFilter": {"a": {"ComparisonOperator": "NOT_NULL"}}}))
seq("table_lifecycle",
    ("CreateTable", {"TableName": "fz_t", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}],
                     "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                     "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    ("PutItem", {"TableName": "fz_t", "Item": {"k": B(b"\x00\x01")}}),
    ("Scan", {"TableName": "fz_t"}),
    ("DeleteTable", {"TableName": H}),
    ("PutItem", {"TableName": H, "Item": {"id": S("gone")}}),
    ("CreateTable", {"TableName": H, "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
                     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}),
    ("PutItem", {"TableName": H, "Item": {"id": N("5")}}),
    ("GetItem", {"TableName": H, "Key": {"id": N("5.00")}}),
    ("DescribeTable", {"TableName": R}))
seq("projection_and_names",
    ("PutItem", {"TableName": R, "Item": {"pk": S("x"), "sk": N("1"), "a.b": S("dot"), "a": {"M": {"b": S("nested")}},
                                          "list": {"L": [N("0"), {"M": {"q": S("r")}}]}}}),
    ("GetItem", {"TableName": R, "Key": {"pk": S("x"), "sk": N("1")}, "ProjectionExpression": "#ab, a.b, list[1].q, list[5]",
                 "ExpressionAttributeNames": {"#ab": "a.b"}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "ProjectionExpression": "sk, #d",
               "ExpressionAttributeNames": {"#d": "data"}, "ExpressionAttributeValues": {":p": S("x")}}),
    ("Query", {"TableName": R, "KeyConditionExpression": "pk = :p", "FilterExpression": "a.b = :n",
               "ExpressionAttributeValues": {":p": S("x"), ":n": S("nested")}, "Select": "COUNT"}))
os.makedirs(OUT, exist_ok=True)
for f in glob.glob(os.path.join(OUT, "seed_*")):
    os.remove(f)
for name, text in seeds.items():
    with open(os.path.join(OUT, "seed_" + name), "w", encoding="utf-8") as f:
        f.write(text)
print(len(seeds), "seeds")
