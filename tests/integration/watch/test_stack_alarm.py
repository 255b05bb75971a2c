"""Alarms, topics and subscriptions deployed by CloudFormation are evaluated and notify like the API's,
and leave with their stack; `leastcloud audit` / `trail` usage errors exit 2."""
import json
import subprocess
import tempfile
import unittest

from watchhelp import LEASTCLOUD, ServerTestCase, notifications, wait_for

TEMPLATE = {
    "Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "stack-ops"}},
        "Sub": {"Type": "AWS::SNS::Subscription",
                "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "email", "Endpoint": "ops@example.com"}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm",
                  "Properties": {"AlarmName": "stack-errors", "Namespace": "StackApp", "MetricName": "Errors",
                                 "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
                                 "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                                 "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": "Topic"}]}},
    }
}


class StackAlarm(ServerTestCase):
    def test_deployed_alarm_notifies_deployed_subscription_and_goes_with_the_stack(self):
        srv = self.srv
        cfn = srv.boto3("cloudformation")
        cfn.create_stack(StackName="watched", TemplateBody=json.dumps(TEMPLATE))
        wait_for(lambda: cfn.describe_stacks(StackName="watched")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE",
                 timeout=60)
        cw = srv.boto3("cloudwatch")
        alarm = cw.describe_alarms(AlarmNames=["stack-errors"])["MetricAlarms"][0]
        self.assertEqual(alarm["StateValue"], "OK")
        topic = alarm["AlarmActions"][0]
        self.assertTrue(topic.endswith(":stack-ops"))
        cw.put_metric_data(Namespace="StackApp", MetricData=[{"MetricName": "Errors", "Value": 3}])
        wait_for(lambda: cw.describe_alarms(AlarmNames=["stack-errors"])["MetricAlarms"][0]["StateValue"] == "ALARM")
        notes = [n for n in notifications(srv) if n["topic_arn"] == topic]
        self.assertEqual([(n["protocol"], n["endpoint"]) for n in notes], [("email", "ops@example.com")])
        self.assertEqual(json.loads(notes[0]["message"])["NewStateValue"], "ALARM")
        cfn.delete_stack(StackName="watched")
        wait_for(lambda: not [s for s in cfn.list_stacks()["StackSummaries"]
                              if s["StackName"] == "watched" and s["StackStatus"] != "DELETE_COMPLETE"], timeout=60)
        self.assertEqual(cw.describe_alarms(AlarmNames=["stack-errors"])["MetricAlarms"], [])

    def test_usage_errors_exit_2(self):
        with tempfile.TemporaryDirectory() as state:
            for args in (["audit", "--bogus"], ["trail", "--limit", "x"], ["trail", "extra"]):
                r = subprocess.run([LEASTCLOUD, "--state", state] + args, capture_output=True, text=True)
                self.assertEqual(r.returncode, 2, args)
            r = subprocess.run([LEASTCLOUD, "--state", state, "--json", "audit"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout), {"principals": []})


if __name__ == "__main__":
    unittest.main()
