"""A Python handler that reads the table with boto3 and, when asked, writes to it."""
import os
import time

import boto3


def handler(event, context):
    ddb = boto3.client("dynamodb")
    table = os.environ["DYNAMO_TABLE_NAME"]
    items = ddb.scan(TableName=table)["Items"]
    print("scanned %d items as %s" % (len(items), context.function_name))
    if event.get("write"):
        ddb.put_item(TableName=table, Item={"timestamp": {"N": str(int(time.time() * 1000))}})
    return {"count": len(items), "requestId": context.aws_request_id}


def unmarshallable(event, context):
    return {"a set": {1, 2}}
