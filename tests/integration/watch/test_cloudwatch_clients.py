"""CloudWatch and SNS through real clients: aws CLI v2 (Query protocol), boto3 1.43 as it comes
(awsJson1_0, its first choice) and boto3 made to speak smithy-rpc-v2-cbor: metrics in and out, alarms
defined, described, set, deleted, errors in each protocol's shape, and IAM denials for a user without
cloudwatch permissions."""
import datetime
import json
import unittest

from botocore.exceptions import ClientError

from watchhelp import ACCOUNT, ServerTestCase, aws, boto3_cbor, wait_for

NOW = lambda: datetime.datetime.now(datetime.timezone.utc)  # noqa: E731


class CloudWatchJson(ServerTestCase):
    PROTOCOL = "json"
    NS = "AppJson"

    @classmethod
    def client(cls, creds=None):
        return cls.srv.boto3("cloudwatch", creds=creds)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cw = cls.client()

    def test_boto3_speaks_the_protocol_under_test(self):
        self.assertEqual(self.cw.meta.service_model.resolved_protocol, self.PROTOCOL)

    def test_put_metric_data_then_statistics_and_metric_data_with_boto3(self):
        cw = self.cw
        dims = [{"Name": "Host", "Value": "a"}]
        cw.put_metric_data(Namespace=self.NS, MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Value": 10, "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Values": [20, 30], "Counts": [1, 2]},
            {"MetricName": "Latency", "Dimensions": dims,
             "StatisticValues": {"SampleCount": 2, "Sum": 8, "Minimum": 3, "Maximum": 5}},
        ])
        st = cw.get_metric_statistics(Namespace=self.NS, MetricName="Latency", Dimensions=dims,
                                      StartTime=NOW() - datetime.timedelta(minutes=5),
                                      EndTime=NOW() + datetime.timedelta(minutes=1), Period=300,
                                      Statistics=["Sum", "SampleCount", "Minimum", "Maximum", "Average"])
        self.assertEqual(st["Label"], "Latency")
        total = {k: sum(p[k] for p in st["Datapoints"]) for k in ("Sum", "SampleCount")}
        self.assertEqual(total, {"Sum": 10 + 20 + 60 + 8, "SampleCount": 1 + 1 + 2 + 2})
        self.assertEqual(min(p["Minimum"] for p in st["Datapoints"]), 3)
        self.assertEqual(max(p["Maximum"] for p in st["Datapoints"]), 30)
        self.assertIsInstance(st["Datapoints"][0]["Timestamp"], datetime.datetime)
        md = cw.get_metric_data(StartTime=NOW() - datetime.timedelta(minutes=5),
                                EndTime=NOW() + datetime.timedelta(minutes=1),
                                MetricDataQueries=[{"Id": "q1", "MetricStat": {
                                    "Metric": {"Namespace": self.NS, "MetricName": "Latency", "Dimensions": dims},
                                    "Period": 60, "Stat": "Maximum"}}])
        r = md["MetricDataResults"][0]
        self.assertEqual((r["Id"], r["StatusCode"]), ("q1", "Complete"))
        self.assertEqual(max(r["Values"]), 30)
        self.assertEqual(len(r["Timestamps"]), len(r["Values"]))
        names = [(m["Namespace"], m["MetricName"], m["Dimensions"]) for m in cw.list_metrics(Namespace=self.NS, MetricName="Latency")["Metrics"]]
        self.assertEqual(names, [(self.NS, "Latency", dims)])

    def test_errors_in_the_cbor_protocol(self):
        cw = self.cw
        with self.assertRaises(ClientError) as e:
            cw.put_metric_data(Namespace="AWS/Mine", MetricData=[{"MetricName": "X", "Value": 1}])
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterValue")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        with self.assertRaises(cw.exceptions.ResourceNotFound):
            cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="r")

    def test_alarm_lifecycle_with_boto3(self):
        cw = self.cw
        cw.put_metric_alarm(AlarmName="b3" + self.PROTOCOL, Namespace=self.NS, MetricName="Errors", Statistic="Sum", Period=60,
                            EvaluationPeriods=2, DatapointsToAlarm=1, Threshold=0,
                            ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                            AlarmDescription="any error")
        a = cw.describe_alarms(AlarmNames=["b3" + self.PROTOCOL])["MetricAlarms"][0]
        self.assertEqual((a["StateValue"], a["EvaluationPeriods"], a["DatapointsToAlarm"]), ("OK", 2, 1))
        self.assertEqual(a["AlarmArn"], "arn:aws:cloudwatch:us-east-1:%s:alarm:b3%s" % (ACCOUNT, self.PROTOCOL))
        cw.put_metric_data(Namespace=self.NS, MetricData=[{"MetricName": "Errors", "Value": 1}])
        a = wait_for(lambda: [x for x in cw.describe_alarms(AlarmNames=["b3" + self.PROTOCOL])["MetricAlarms"]
                              if x["StateValue"] == "ALARM"])[0]
        self.assertRegex(a["StateReason"], r"^Threshold Crossed: 1 out of the last 2 datapoints \[1\.0 \(")
        cw.set_alarm_state(AlarmName="b3" + self.PROTOCOL, StateValue="INSUFFICIENT_DATA", StateReason="maintenance")
        # Describing re-evaluates, and the data still breach: the alarm goes back to ALARM.
        hist = cw.describe_alarm_history(AlarmName="b3" + self.PROTOCOL,
                                         HistoryItemType="StateUpdate")["AlarmHistoryItems"]
        manual = [h for h in hist if h["HistorySummary"] == "Alarm updated from ALARM to INSUFFICIENT_DATA"]
        self.assertEqual(json.loads(manual[0]["HistoryData"])["newState"]["stateReason"], "maintenance")
        self.assertEqual(hist[0]["HistorySummary"], "Alarm updated from INSUFFICIENT_DATA to ALARM")
        self.assertEqual([x["AlarmName"] for x in cw.describe_alarms(StateValue="ALARM", AlarmNamePrefix="b3" +
                                                                    self.PROTOCOL)["MetricAlarms"]],
                         ["b3" + self.PROTOCOL])
        cw.delete_alarms(AlarmNames=["b3" + self.PROTOCOL])
        self.assertEqual(cw.describe_alarms(AlarmNames=["b3" + self.PROTOCOL])["MetricAlarms"], [])

    def test_aws_cli_v2_query_protocol(self):
        srv = self.srv
        aws(srv, "cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-name", "Hits",
            "--dimensions", "Page=home", "--value", "7")
        st = aws(srv, "cloudwatch", "get-metric-statistics", "--namespace", "Cli", "--metric-name", "Hits",
                 "--dimensions", "Name=Page,Value=home", "--statistics", "Sum",
                 "--start-time", (NOW() - datetime.timedelta(minutes=5)).isoformat(),
                 "--end-time", (NOW() + datetime.timedelta(minutes=1)).isoformat(), "--period", "60")
        self.assertEqual(sum(p["Sum"] for p in st["Datapoints"]), 7)
        aws(srv, "cloudwatch", "put-metric-alarm", "--alarm-name", "cli-alarm", "--namespace", "Cli",
            "--metric-name", "Hits", "--dimensions", "Name=Page,Value=home", "--statistic", "Sum",
            "--period", "60", "--evaluation-periods", "1", "--threshold", "5",
            "--comparison-operator", "GreaterThanOrEqualToThreshold")
        a = wait_for(lambda: [x for x in aws(srv, "cloudwatch", "describe-alarms", "--alarm-names",
                                             "cli-alarm")["MetricAlarms"] if x["StateValue"] == "ALARM"])[0]
        self.assertEqual(a["Threshold"], 5.0)
        self.assertIn("was greater than or equal to the threshold (5.0).", a["StateReason"])
        listed = aws(srv, "cloudwatch", "list-metrics", "--namespace", "Cli")["Metrics"]
        self.assertEqual(listed, [{"Namespace": "Cli", "MetricName": "Hits",
                                   "Dimensions": [{"Name": "Page", "Value": "home"}]}])
        r = aws(srv, "cloudwatch", "set-alarm-state", "--alarm-name", "missing", "--state-value", "OK",
                "--state-reason", "x", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFound", r.stderr)
        aws(srv, "cloudwatch", "delete-alarms", "--alarm-names", "cli-alarm")

    def test_user_without_permission_is_denied_in_each_protocol(self):
        srv = self.srv
        u = srv.create_user("no-cw-" + self.PROTOCOL.replace("smithy-rpc-v2-", ""), {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]})
        creds = {"AccessKeyId": u["AccessKeyId"], "SecretAccessKey": u["SecretAccessKey"]}
        with self.assertRaises(ClientError) as e:
            self.client(creds).describe_alarms()
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        self.assertIn("is not authorized to perform: cloudwatch:DescribeAlarms", e.exception.response["Error"]["Message"])
        r = aws(srv, "cloudwatch", "list-metrics", creds=creds, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("AccessDenied", r.stderr)

    def test_sns_topics_and_subscriptions_with_boto3(self):
        sns = self.srv.boto3("sns")
        name = "ops-" + self.NS
        arn = sns.create_topic(Name=name)["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:%s:%s" % (ACCOUNT, name))
        self.assertEqual(sns.create_topic(Name=name)["TopicArn"], arn)
        sub = sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="a@example.com")["SubscriptionArn"]
        self.assertTrue(sub.startswith(arn + ":"))
        self.assertIn(arn, [t["TopicArn"] for t in sns.list_topics()["Topics"]])
        subs = sns.list_subscriptions()["Subscriptions"]
        self.assertIn({"SubscriptionArn": sub, "Owner": ACCOUNT, "Protocol": "email", "Endpoint": "a@example.com",
                       "TopicArn": arn}, subs)
        self.assertTrue(sns.publish(TopicArn=arn, Message="hi")["MessageId"])
        with self.assertRaises(ClientError) as e:
            sns.publish(TopicArn=arn + "-none", Message="hi")
        self.assertEqual(e.exception.response["Error"]["Code"], "NotFound")


class CloudWatchCbor(CloudWatchJson):
    PROTOCOL = "smithy-rpc-v2-cbor"
    NS = "AppCbor"

    @classmethod
    def client(cls, creds=None):
        return boto3_cbor(cls.srv, "cloudwatch", creds=creds)

    # Protocol-independent: run once, in the JSON class.
    test_aws_cli_v2_query_protocol = None
    test_sns_topics_and_subscriptions_with_boto3 = None


if __name__ == "__main__":
    unittest.main()
