"""CloudFormation over the query protocol: `aws cloudformation deploy --template-file` of the seed
template (with its asset) by the CLIs v1 and v2, describe-stacks, delete-stack; every other
operation through boto3; the deployed stack's output key works with AWS's DynamoDB denials."""
import json
import os
import unittest

from iamhelp import aws, aws_text, cli_error, error
from lcserver import ACCOUNT, REGION, SHARED, ServerTestCase, denial, table_arn

SEED_DIR = os.path.join(os.path.realpath(SHARED), "cdk-reference", "seed", "default")
SEED = os.path.join(SEED_DIR, "SampleCDKStack.template.json")
ASSETS_TAG = "leastcloud:assets=" + SEED_DIR
SMALL = {
    "Parameters": {"Suffix": {"Type": "String", "Default": "a", "Description": "table name suffix"}},
    "Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "TableName": {"Fn::Sub": "small-${Suffix}"}, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}},
    "Outputs": {"Name": {"Value": {"Ref": "T"}}},
}


class CloudFormation(ServerTestCase):
    def deploy(self, cli, stack, *extra):
        rc, out = aws_text(self.srv, cli, "cloudformation", "deploy", "--template-file", SEED, "--stack-name", stack,
                           *extra)
        self.assertEqual(rc, 0, out)
        return out

    def tearDown(self):
        self.clean_up_seed()

    def clean_up_seed(self):
        """Seed stacks and the table they retain go, so that each test starts clean."""
        cfn = self.srv.boto3("cloudformation")
        for s in cfn.describe_stacks()["Stacks"]:
            if s["StackName"].startswith("seed"):
                cfn.delete_stack(StackName=s["StackName"])
        ddb = self.srv.boto3("dynamodb")
        if "dynamoTable" in ddb.list_tables()["TableNames"]:
            ddb.delete_table(TableName="dynamoTable")

    def test_cli_deploy_describe_and_delete_the_seed(self):
        for cli in ("v1", "v2"):
            with self.subTest(cli=cli):
                stack = "seed-" + cli
                self.clean_up_seed()
                # IAM resources with names need the capability, as on AWS.
                self.assertEqual(cli_error(self.deploy_fail(cli, stack)),
                                 ("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]"))
                out = self.deploy(cli, stack, "--capabilities", "CAPABILITY_NAMED_IAM", "--tags", ASSETS_TAG)
                self.assertIn("Successfully created/updated stack - " + stack, out)
                s = aws(self.srv, cli, "cloudformation", "describe-stacks", "--stack-name", stack)["Stacks"][0]
                self.assertEqual(s["StackStatus"], "CREATE_COMPLETE")
                self.assertTrue(s["StackId"].startswith("arn:aws:cloudformation:%s:%s:stack/%s/" % (REGION, ACCOUNT, stack)))
                outputs = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
                self.assertTrue(outputs["accessToken"].startswith("AKIA"))
                # Deploying the same template again changes nothing.
                rc, out = aws_text(self.srv, cli, "cloudformation", "deploy", "--template-file", SEED, "--stack-name",
                                   stack, "--capabilities", "CAPABILITY_NAMED_IAM", "--tags", ASSETS_TAG,
                                   "--no-fail-on-empty-changeset")
                self.assertEqual(rc, 0, out)
                self.assertIn("No changes to deploy", out)
                aws(self.srv, cli, "cloudformation", "delete-stack", "--stack-name", stack)
                aws(self.srv, cli, "cloudformation", "wait", "stack-delete-complete", "--stack-name", stack)
                code, msg = cli_error(aws(self.srv, cli, "cloudformation", "describe-stacks", "--stack-name", stack,
                                          ok=False))
                self.assertEqual((code, msg), ("ValidationError", "Stack with id %s does not exist" % stack))
                # The table is retained (DeletionPolicy Retain); deploying again fails as CloudFormation does.
                self.srv.boto3("dynamodb").describe_table(TableName="dynamoTable")
                self.deploy_fails_on_the_retained_table(cli, stack)

    def deploy_fails_on_the_retained_table(self, cli, stack):
        rc, out = aws_text(self.srv, cli, "cloudformation", "deploy", "--template-file", SEED, "--stack-name", stack,
                           "--capabilities", "CAPABILITY_NAMED_IAM", "--tags", ASSETS_TAG)
        self.assertNotEqual(rc, 0, out)
        s = self.srv.boto3("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        self.assertEqual(s["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertIn("dynamoTable already exists", s.get("StackStatusReason", "") + json.dumps(
            self.srv.boto3("cloudformation").describe_stack_events(StackName=stack)["StackEvents"], default=str))
        aws(self.srv, cli, "cloudformation", "delete-stack", "--stack-name", stack)

    def deploy_fail(self, cli, stack):
        return aws(self.srv, cli, "cloudformation", "deploy", "--template-file", SEED, "--stack-name", stack, ok=False)

    def test_seed_outputs_give_a_read_only_key(self):
        cfn = self.srv.boto3("cloudformation")
        body = open(SEED).read()
        cfn.create_stack(StackName="seed-key", TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"],
                         Tags=[{"Key": "leastcloud:assets", "Value": SEED_DIR}])
        s = cfn.describe_stacks(StackName="seed-key")["Stacks"][0]
        self.assertEqual(s["StackStatus"], "CREATE_COMPLETE")
        out = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
        ddb = self.srv.boto3("dynamodb", creds={"AccessKeyId": out["accessToken"], "SecretAccessKey": out["secretAccessToken"]})
        ddb.scan(TableName="dynamoTable")
        status, code, msg = error(lambda: ddb.put_item(TableName="dynamoTable", Item={"timestamp": {"N": "1"}}))
        self.assertEqual((status, code), (400, "AccessDeniedException"))
        self.assertEqual(msg, denial("arn:aws:iam::%s:user/read-table-user" % ACCOUNT, "dynamodb:PutItem",
                                     table_arn("dynamoTable")))
        resources = cfn.list_stack_resources(StackName="seed-key")["StackResourceSummaries"]
        self.assertEqual({r["ResourceStatus"] for r in resources}, {"CREATE_COMPLETE"})
        self.assertIn("AWS::Lambda::Function", {r["ResourceType"] for r in resources})
        cfn.delete_stack(StackName="seed-key")

    def test_every_other_operation_with_boto3(self):
        cfn = self.srv.boto3("cloudformation")
        body = json.dumps(SMALL)
        v = cfn.validate_template(TemplateBody=body)
        self.assertEqual(v["Parameters"], [{"ParameterKey": "Suffix", "DefaultValue": "a", "NoEcho": False,
                                            "Description": "table name suffix"}])
        self.assertEqual(error(lambda: cfn.validate_template(TemplateBody="{\"Resources\": 3}"))[1], "ValidationError")
        sid = cfn.create_stack(StackName="small", TemplateBody=body)["StackId"]
        self.assertEqual(error(lambda: cfn.create_stack(StackName="small", TemplateBody=body))[1:],
                         ("AlreadyExistsException", "Stack [small] already exists"))
        s = cfn.describe_stacks(StackName=sid)["Stacks"][0]
        self.assertEqual((s["StackStatus"], s["Outputs"][0]["OutputValue"]), ("CREATE_COMPLETE", "small-a"))
        self.assertEqual(s["Parameters"], [{"ParameterKey": "Suffix", "ParameterValue": "a"}])
        events = cfn.describe_stack_events(StackName="small")["StackEvents"]
        self.assertEqual((events[0]["LogicalResourceId"], events[0]["ResourceStatus"]), ("small", "CREATE_COMPLETE"))
        self.assertIn(("T", "CREATE_IN_PROGRESS"), [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events])
        res = cfn.describe_stack_resources(StackName="small")["StackResources"]
        self.assertEqual([(r["LogicalResourceId"], r["PhysicalResourceId"]) for r in res], [("T", "small-a")])
        self.assertEqual(cfn.get_template(StackName="small")["TemplateBody"], SMALL)
        self.assertIn("small", [x["StackName"] for x in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]])
        self.assertEqual(error(lambda: cfn.update_stack(StackName="small", TemplateBody=body))[1:],
                         ("ValidationError", "No updates are to be performed."))
        cfn.update_stack(StackName="small", TemplateBody=body, Parameters=[{"ParameterKey": "Suffix", "ParameterValue": "b"}])
        s = cfn.describe_stacks(StackName="small")["Stacks"][0]
        self.assertEqual((s["StackStatus"], s["Outputs"][0]["OutputValue"]), ("UPDATE_COMPLETE", "small-b"))
        # Change sets: create, describe, execute, delete.
        cs = cfn.create_change_set(StackName="small", ChangeSetName="to-c", TemplateBody=body,
                                   Parameters=[{"ParameterKey": "Suffix", "ParameterValue": "c"}])
        d = cfn.describe_change_set(ChangeSetName="to-c", StackName="small")
        self.assertEqual((d["Status"], d["ExecutionStatus"], d["ChangeSetId"]), ("CREATE_COMPLETE", "AVAILABLE", cs["Id"]))
        change = d["Changes"][0]["ResourceChange"]
        self.assertEqual((change["Action"], change["LogicalResourceId"], change["Replacement"]), ("Modify", "T", "True"))
        cfn.execute_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(cfn.describe_stacks(StackName="small")["Stacks"][0]["Outputs"][0]["OutputValue"], "small-c")
        self.assertEqual(cfn.describe_change_set(ChangeSetName=cs["Id"])["ExecutionStatus"], "EXECUTE_COMPLETE")
        self.assertEqual(error(lambda: cfn.execute_change_set(ChangeSetName=cs["Id"]))[1], "InvalidChangeSetStatus")
        same = cfn.create_change_set(StackName="small", ChangeSetName="same", TemplateBody=body, UsePreviousTemplate=False,
                                     Parameters=[{"ParameterKey": "Suffix", "UsePreviousValue": True}])
        d = cfn.describe_change_set(ChangeSetName=same["Id"])
        self.assertEqual((d["Status"], d["StatusReason"]), ("FAILED", "The submitted information didn't contain "
                                                            "changes. Submit different information to create a change set."))
        cfn.delete_change_set(ChangeSetName="same", StackName="small")
        self.assertEqual(error(lambda: cfn.describe_change_set(ChangeSetName=same["Id"]))[1], "ChangeSetNotFound")
        new = cfn.create_change_set(StackName="fresh", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=body,
                                    Parameters=[{"ParameterKey": "Suffix", "ParameterValue": "fresh"}])
        self.assertEqual(cfn.describe_change_set(ChangeSetName=new["Id"])["Changes"][0]["ResourceChange"]["Action"], "Add")
        cfn.execute_change_set(ChangeSetName="c1", StackName="fresh")
        self.assertEqual(cfn.describe_stacks(StackName="fresh")["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")
        for name in ("small", "fresh"):
            cfn.delete_stack(StackName=name)
            self.assertEqual(error(lambda: cfn.describe_stacks(StackName=name))[1:],
                             ("ValidationError", "Stack with id %s does not exist" % name))
        self.assertEqual(cfn.describe_stacks(StackName=sid)["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        cfn.delete_stack(StackName="never-existed")

    def test_a_failed_create_rolls_back_and_is_reported(self):
        cfn = self.srv.boto3("cloudformation")
        tmpl = json.loads(json.dumps(SMALL))
        tmpl["Resources"]["Bad"] = {"Type": "AWS::IAM::Policy", "DependsOn": "T", "Properties": {
            "PolicyName": "p", "Users": ["no-such-user"], "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}}
        cfn.create_stack(StackName="doomed", TemplateBody=json.dumps(tmpl), Capabilities=["CAPABILITY_IAM"])
        s = cfn.describe_stacks(StackName="doomed")["Stacks"][0]
        self.assertEqual(s["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertNotIn("small-a", self.srv.boto3("dynamodb").list_tables()["TableNames"])
        cfn.delete_stack(StackName="doomed")

    def test_denied_without_cloudformation_permissions(self):
        iam = self.srv.boto3("iam")
        iam.create_user(UserName="no-cfn")
        key = iam.create_access_key(UserName="no-cfn")["AccessKey"]
        cfn = self.srv.boto3("cloudformation", creds=key)
        status, code, msg = error(lambda: cfn.create_stack(StackName="x", TemplateBody=json.dumps(SMALL)))
        self.assertEqual((status, code), (403, "AccessDenied"))
        self.assertEqual(msg, denial("arn:aws:iam::%s:user/no-cfn" % ACCOUNT, "cloudformation:CreateStack",
                                     "arn:aws:cloudformation:%s:%s:stack/x/*" % (REGION, ACCOUNT)))

    def test_yaml_templates_with_short_forms(self):
        body = "\n".join([
            "Parameters:",
            "  Suffix: {Type: String, Default: yaml}",
            "Resources:",
            "  T:",
            "    Type: AWS::DynamoDB::Table",
            "    Properties:",
            "      TableName: !Sub 'small-${Suffix}'",
            "      BillingMode: PAY_PER_REQUEST",
            "      KeySchema: [{AttributeName: k, KeyType: HASH}]",
            "      AttributeDefinitions: [{AttributeName: k, AttributeType: S}]",
            "Outputs:",
            "  Arn: {Value: !GetAtt T.Arn}",
            ""])
        cfn = self.srv.boto3("cloudformation")
        self.assertEqual(cfn.validate_template(TemplateBody=body)["Parameters"][0]["DefaultValue"], "yaml")
        for cli in ("v1", "v2"):
            path = os.path.join(self.srv.state, "t.yaml")
            with open(path, "w") as f:
                f.write(body)
            out = aws_text(self.srv, cli, "cloudformation", "deploy", "--template-file", path, "--stack-name", "yaml")[1]
            self.assertIn("Successfully created/updated stack - yaml", out)
            s = cfn.describe_stacks(StackName="yaml")["Stacks"][0]
            self.assertEqual(s["Outputs"], [{"OutputKey": "Arn", "OutputValue": table_arn("small-yaml")}])
            self.assertEqual(cfn.get_template(StackName="yaml")["TemplateBody"], body)
            cfn.delete_stack(StackName="yaml")

    def test_cloudformation_acts_with_the_callers_permissions(self):
        iam = self.srv.boto3("iam")
        iam.create_user(UserName="cfn-ddb")
        iam.put_user_policy(UserName="cfn-ddb", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["cloudformation:*", "dynamodb:CreateTable",
                                                                                    "dynamodb:DescribeTable"],
                                                    "Resource": "*"}]}))
        cfn = self.srv.boto3("cloudformation", creds=iam.create_access_key(UserName="cfn-ddb")["AccessKey"])
        user = "arn:aws:iam::%s:user/cfn-ddb" % ACCOUNT
        # The seed creates IAM resources: refused before anything exists, with AWS's sentence.
        status, code, msg = error(lambda: cfn.create_stack(StackName="seed-denied", TemplateBody=open(SEED).read(),
                                                           Capabilities=["CAPABILITY_NAMED_IAM"]))
        self.assertEqual((status, code), (403, "AccessDenied"))
        self.assertRegex(msg, r"^User: %s is not authorized to perform: iam:Create(Role|User) on resource: "
                              r"arn:aws:iam::%s:(role/\*|user/read-table-user) because no identity-based policy "
                              r"allows the iam:Create(Role|User) action$" % (user, ACCOUNT))
        self.assertEqual(error(lambda: cfn.describe_stacks(StackName="seed-denied"))[1], "ValidationError")
        self.assertNotIn("dynamoTable", self.srv.boto3("dynamodb").list_tables()["TableNames"])
        # What the policy allows deploys; deleting needs dynamodb:DeleteTable on the table.
        cfn.create_stack(StackName="mine", TemplateBody=json.dumps(SMALL))
        status, code, msg = error(lambda: cfn.delete_stack(StackName="mine"))
        self.assertEqual((status, code, msg), (403, "AccessDenied", denial(user, "dynamodb:DeleteTable",
                                                                            table_arn("small-a"))))
        self.srv.boto3("cloudformation").delete_stack(StackName="mine")


if __name__ == "__main__":
    unittest.main()
