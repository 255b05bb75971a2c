"""The seed scenario's watch and audit steps: many reads with the leaked key push the per-principal
read metric over an alarm's threshold; the alarm goes to ALARM and notifies its SNS topic (an email
subscription recorded, an http one POSTed for real); `leastcloud audit` reports granted, used, denied
and the minimal policy; `leastcloud trail --json` shows CloudTrail-shaped records."""
import http.server
import json
import re
import threading
import time
import unittest

from botocore.exceptions import ClientError

from watchhelp import (ACCOUNT, Server, aws, cdk_read_policy, leastcloud, notifications, table_arn,
                       wait_for)

TABLE = "dynamoTable"
USER = "read-table-user"
USER_ARN = "arn:aws:iam::%s:user/%s" % (ACCOUNT, USER)
READS = 30
THRESHOLD = 20


class Hook(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


class SeedWatchAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(env={"LC_WATCH_INTERVAL_MS": "200"}).start()
        cls.hook = http.server.HTTPServer(("127.0.0.1", 0), Hook)
        cls.hook_thread = threading.Thread(target=cls.hook.serve_forever, daemon=True)
        cls.hook_thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.hook.shutdown()
        cls.hook.server_close()
        cls.srv.close()

    def test_leaked_key_reads_raise_the_alarm_and_the_audit_tells_the_story(self):
        srv = self.srv
        ddb = srv.boto3("dynamodb")
        ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "timestamp", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "timestamp", "AttributeType": "N"}],
                         BillingMode="PAY_PER_REQUEST")
        for i in range(3):
            ddb.put_item(TableName=TABLE, Item={"timestamp": {"N": str(i)}, "msg": {"S": "m%d" % i}})
        user = srv.create_user(USER, cdk_read_policy(TABLE), "readTableUserDefaultPolicyFD186BB0")
        creds = {"AccessKeyId": user["AccessKeyId"], "SecretAccessKey": user["SecretAccessKey"]}

        # The owner's alarm: reads of the table by this one key, per minute.
        sns = srv.boto3("sns")
        topic = sns.create_topic(Name="leaked-key")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="owner@example.com")
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:%d/alarm" % self.hook.server_port)
        aws(srv, "cloudwatch", "put-metric-alarm", "--alarm-name", "leaked-key-reads",
            "--namespace", "LeastCloud/Access", "--metric-name", "ReadRequests",
            "--dimensions", "Name=TableName,Value=%s" % TABLE, "Name=PrincipalArn,Value=%s" % USER_ARN,
            "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1",
            "--threshold", str(THRESHOLD), "--comparison-operator", "GreaterThanThreshold",
            "--treat-missing-data", "notBreaching", "--alarm-actions", topic)
        # A table-wide alarm on AWS/DynamoDB capacity, as the blog's owner might set too.
        aws(srv, "cloudwatch", "put-metric-alarm", "--alarm-name", "table-reads",
            "--namespace", "AWS/DynamoDB", "--metric-name", "ConsumedReadCapacityUnits",
            "--dimensions", "Name=TableName,Value=%s" % TABLE, "--statistic", "Sum", "--period", "60",
            "--evaluation-periods", "1", "--threshold", "5", "--comparison-operator", "GreaterThanThreshold")
        alarms = aws(srv, "cloudwatch", "describe-alarms", "--alarm-names", "leaked-key-reads")["MetricAlarms"]
        self.assertEqual(alarms[0]["StateValue"], "OK")  # notBreaching: no reads yet is fine

        # The leaked key at work: reads succeed, writes are denied. The reads must land in one
        # 1-minute period for the datapoint to be exact: start them early in a minute.
        if time.time() % 60 > 30:
            time.sleep(60.5 - time.time() % 60)
        leaked = srv.boto3("dynamodb", creds=creds)
        for i in range(READS):
            if i % 2:
                leaked.get_item(TableName=TABLE, Key={"timestamp": {"N": str(i % 3)}})
            else:
                leaked.query(TableName=TABLE, KeyConditionExpression="#t = :v",
                             ExpressionAttributeNames={"#t": "timestamp"},
                             ExpressionAttributeValues={":v": {"N": "1"}})
        for _ in range(2):
            with self.assertRaises(ClientError) as e:
                leaked.put_item(TableName=TABLE, Item={"timestamp": {"N": "99"}})
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        with self.assertRaises(ClientError):
            leaked.delete_item(TableName=TABLE, Key={"timestamp": {"N": "1"}})

        def in_alarm():
            a = aws(srv, "cloudwatch", "describe-alarms", "--alarm-names", "leaked-key-reads")["MetricAlarms"][0]
            return a if a["StateValue"] == "ALARM" else None

        alarm = wait_for(in_alarm, timeout=30)
        # The background evaluator may catch the burst part-way: the datapoint is what it saw then.
        m = re.match(r"^Threshold Crossed: 1 datapoint \[(\d+)\.0 \(\d\d/\d\d/\d\d \d\d:\d\d:00\)\] was greater "
                     r"than the threshold \(%d\.0\)\.$" % THRESHOLD, alarm["StateReason"])
        self.assertTrue(m, alarm["StateReason"])
        seen = int(m.group(1))
        self.assertTrue(THRESHOLD < seen <= READS, seen)
        data = json.loads(alarm["StateReasonData"])
        self.assertEqual(data["recentDatapoints"], [float(seen)])
        self.assertEqual(data["threshold"], float(THRESHOLD))

        # Notified: the email subscription recorded, the http one POSTed for real.
        rows = wait_for(lambda: [n for n in notifications(srv) if n["topic_arn"] == topic and n["status"] != "pending"]
                        if len(notifications(srv)) >= 2 else None)
        by_protocol = {n["protocol"]: n for n in rows}
        self.assertEqual(by_protocol["email"]["endpoint"], "owner@example.com")
        self.assertEqual(by_protocol["email"]["status"], "recorded")
        self.assertEqual(by_protocol["http"]["status"], "delivered")
        self.assertEqual(by_protocol["email"]["subject"], 'ALARM: "leaked-key-reads" in US East (N. Virginia)')
        msg = json.loads(by_protocol["email"]["message"])
        self.assertEqual(msg["NewStateValue"], "ALARM")
        self.assertEqual(msg["OldStateValue"], "OK")
        self.assertEqual(msg["Trigger"]["MetricName"], "ReadRequests")
        self.assertEqual(msg["AlarmArn"], "arn:aws:cloudwatch:us-east-1:%s:alarm:leaked-key-reads" % ACCOUNT)
        wait_for(lambda: Hook.received)
        headers, body = Hook.received[0]
        self.assertEqual(body["Type"], "Notification")
        self.assertEqual(body["TopicArn"], topic)
        self.assertEqual(json.loads(body["Message"])["AlarmName"], "leaked-key-reads")
        self.assertEqual(headers.get("x-amz-sns-message-type"), "Notification")

        # History: configuration, then the state change, then the action.
        hist = aws(srv, "cloudwatch", "describe-alarm-history", "--alarm-name", "leaked-key-reads")["AlarmHistoryItems"]
        types = [h["HistoryItemType"] for h in hist]
        self.assertIn("Action", types)
        self.assertIn("Alarm updated from OK to ALARM", [h["HistorySummary"] for h in hist])

        # The table-wide capacity alarm fed by the ddb module's counters: 30 eventually consistent
        # reads of small items are 0.5 units each (GetItem and Query alike).
        cap = wait_for(lambda: aws(srv, "cloudwatch", "describe-alarms", "--alarm-names",
                                   "table-reads")["MetricAlarms"][0]["StateValue"] == "ALARM" or None)
        self.assertTrue(cap)

        # The audit: granted, used, denied, and the minimal policy (once the trail holds every call).
        def audited():
            p = json.loads(leastcloud(srv, "--json", "audit", "--principal", USER_ARN).stdout)["principals"][0]
            return p if p["calls"] == READS + 3 else None

        p = wait_for(audited)
        self.assertEqual(p["principal"], USER_ARN)
        self.assertEqual(p["summary"], "used 2 of its 8 read actions")
        self.assertEqual(sorted(g["action"] for g in p["granted"]), sorted([
            "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
            "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query", "dynamodb:Scan"]))
        self.assertEqual({u["action"]: u["calls"] for u in p["used"]},
                         {"dynamodb:GetItem": READS // 2, "dynamodb:Query": READS // 2})
        self.assertEqual(sorted(p["unused"]), sorted([
            "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
            "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Scan"]))
        denied = {d["action"]: d for d in p["denied"]}
        self.assertEqual(set(denied), {"dynamodb:PutItem", "dynamodb:DeleteItem"})
        self.assertEqual(denied["dynamodb:PutItem"]["calls"], 2)
        self.assertEqual(denied["dynamodb:PutItem"]["deniedBy"],
                         "no identity-based policy allows the dynamodb:PutItem action")
        self.assertEqual(p["minimalPolicy"], {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Used", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                 "Resource": table_arn(TABLE)},
                {"Sid": "DeniedButNeeded", "Effect": "Allow", "Action": ["dynamodb:DeleteItem", "dynamodb:PutItem"],
                 "Resource": table_arn(TABLE)},
            ]})
        text = leastcloud(srv, "audit", "--principal", USER_ARN).stdout
        self.assertIn("used 2 of its 8 read actions", text)
        self.assertNotIn("\033[", text)  # not a terminal: plain

        # The trail, CloudTrail-shaped.
        lines = leastcloud(srv, "--json", "trail", "--principal", USER_ARN).stdout.splitlines()
        recs = [json.loads(line) for line in lines]
        puts = [r for r in recs if r["eventName"] == "PutItem"]
        self.assertEqual(len(puts), 2)
        self.assertEqual(puts[0]["eventSource"], "dynamodb.amazonaws.com")
        self.assertEqual(puts[0]["errorCode"], "AccessDeniedException")
        self.assertEqual(puts[0]["userIdentity"]["arn"], USER_ARN)
        self.assertEqual(puts[0]["userIdentity"]["accessKeyId"], creds["AccessKeyId"])
        self.assertEqual(puts[0]["requestParameters"]["resources"], [table_arn(TABLE)])
        self.assertIn("because no identity-based policy allows the dynamodb:PutItem action", puts[0]["errorMessage"])
        gets = [r for r in recs if r["eventName"] == "GetItem"]
        self.assertEqual(gets[0]["leastcloud"]["decision"], "Allowed")
        self.assertEqual(gets[0]["leastcloud"]["policy"], "read-table-user/readTableUserDefaultPolicyFD186BB0")
        self.assertNotIn("errorCode", gets[0])


if __name__ == "__main__":
    unittest.main()
