"""Every element of our XML results must be a member of the operation's output shape in botocore's
model (iam/2010-05-08, sts/2011-06-15, cloudformation/2010-05-15), with values of the member's type:
stricter than the SDKs' parsers, which skip what they do not know."""
import datetime
import json
import os
import unittest
import xml.etree.ElementTree as ET

from botocore.session import get_session

from iamhelp import allow, raw_query, trust
from lcserver import ACCOUNT, SHARED, ServerTestCase

A = "arn:aws:iam::%s:" % ACCOUNT
SEED_DIR = os.path.join(os.path.realpath(SHARED), "cdk-reference", "seed", "default")


def local(tag):
    return tag.split("}", 1)[-1]


def check(elem, shape, path, problems):
    t = shape.type_name
    if t == "structure":
        by_wire = {m.serialization.get("name", name): m for name, m in shape.members.items()}
        for child in elem:
            name = local(child.tag)
            if name not in by_wire:
                problems.append("%s/%s: not a member of %s" % (path, name, shape.name))
            else:
                check(child, by_wire[name], path + "/" + name, problems)
    elif t == "list":
        want = shape.member.serialization.get("name", "member")
        for child in elem:
            if local(child.tag) != want:
                problems.append("%s/%s: list items are <%s>" % (path, local(child.tag), want))
            else:
                check(child, shape.member, path + "/" + want, problems)
    elif t == "map":
        for entry in elem:
            kids = {local(c.tag): c for c in entry}
            if local(entry.tag) != "entry" or set(kids) != {"key", "value"}:
                problems.append("%s: map entries are <entry><key/><value/></entry>" % path)
            else:
                check(kids["value"], shape.value, path + "/value", problems)
    else:
        if len(elem):
            problems.append("%s: %s is a scalar but has children" % (path, t))
            return
        text = elem.text or ""
        try:
            if t == "timestamp":
                datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            elif t == "boolean":
                assert text in ("true", "false")
            elif t in ("integer", "long"):
                int(text)
            elif t == "string" and shape.enum:
                assert text in shape.enum, "%r not in %s" % (text, shape.enum)
        except (ValueError, AssertionError) as e:
            problems.append("%s: %r is not a valid %s (%s)" % (path, text, t, e))


class BotocoreShapes(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.models = {s: get_session().get_service_model(s) for s in ("iam", "sts", "cloudformation")}
        cls.seen = set()

    def call(self, service, op, params=None, creds=None):
        status, headers, body = raw_query(self.srv, service, op, params, creds=creds)
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        self.assertEqual(local(root.tag), op + "Response")
        model = self.models[service].operation_model(op)
        problems = []
        result = [c for c in root if local(c.tag) == op + "Result"]
        if model.output_shape is not None and model.output_shape.members:
            self.assertEqual(len(result), 1, body)
            check(result[0], model.output_shape, op + "Result", problems)
        self.assertEqual(problems, [], body)
        self.seen.add((service, op))
        return root

    def test_iam_results_match_the_model(self):
        c = self.call
        c("iam", "CreateUser", {"UserName": "s", "Path": "/p/", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"})
        c("iam", "GetUser", {"UserName": "s"})
        c("iam", "GetUser")
        c("iam", "ListUsers")
        c("iam", "TagUser", {"UserName": "s", "Tags.member.1.Key": "k2", "Tags.member.1.Value": "v"})
        c("iam", "ListUserTags", {"UserName": "s"})
        c("iam", "UntagUser", {"UserName": "s", "TagKeys.member.1": "k2"})
        root = c("iam", "CreateAccessKey", {"UserName": "s"})
        key = root.find(".//{*}AccessKeyId").text
        c("iam", "ListAccessKeys", {"UserName": "s"})
        c("iam", "UpdateAccessKey", {"UserName": "s", "AccessKeyId": key, "Status": "Inactive"})
        c("iam", "DeleteAccessKey", {"UserName": "s", "AccessKeyId": key})
        c("iam", "CreateGroup", {"GroupName": "g"})
        c("iam", "AddUserToGroup", {"GroupName": "g", "UserName": "s"})
        c("iam", "GetGroup", {"GroupName": "g"})
        c("iam", "ListGroups")
        c("iam", "ListGroupsForUser", {"UserName": "s"})
        c("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": trust(A + "root"), "Description": "d",
                                "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"})
        c("iam", "GetRole", {"RoleName": "r"})
        c("iam", "ListRoles")
        c("iam", "TagRole", {"RoleName": "r", "Tags.member.1.Key": "k2", "Tags.member.1.Value": "v"})
        c("iam", "ListRoleTags", {"RoleName": "r"})
        c("iam", "UntagRole", {"RoleName": "r", "TagKeys.member.1": "k2"})
        c("iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": trust(A + "user/p/s")})
        doc = allow("iam:GetUser")
        for kind, key_name, name in (("User", "UserName", "s"), ("Role", "RoleName", "r"), ("Group", "GroupName", "g")):
            c("iam", "Put%sPolicy" % kind, {key_name: name, "PolicyName": "i", "PolicyDocument": doc})
            c("iam", "Get%sPolicy" % kind, {key_name: name, "PolicyName": "i"})
            c("iam", "List%sPolicies" % kind, {key_name: name})
        root = c("iam", "CreatePolicy", {"PolicyName": "m", "PolicyDocument": doc, "Description": "d"})
        arn = root.find(".//{*}Arn").text
        c("iam", "GetPolicy", {"PolicyArn": arn})
        c("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc, "SetAsDefault": "true"})
        c("iam", "GetPolicyVersion", {"PolicyArn": arn, "VersionId": "v1"})
        c("iam", "ListPolicyVersions", {"PolicyArn": arn})
        c("iam", "SetDefaultPolicyVersion", {"PolicyArn": arn, "VersionId": "v1"})
        c("iam", "DeletePolicyVersion", {"PolicyArn": arn, "VersionId": "v2"})
        c("iam", "ListPolicies", {"Scope": "Local"})
        for kind, key_name, name in (("User", "UserName", "s"), ("Role", "RoleName", "r"), ("Group", "GroupName", "g")):
            c("iam", "Attach%sPolicy" % kind, {key_name: name, "PolicyArn": arn})
            c("iam", "ListAttached%sPolicies" % kind, {key_name: name})
        c("iam", "GetAccountAuthorizationDetails")
        c("iam", "SimulatePrincipalPolicy", {"PolicySourceArn": A + "user/p/s", "ActionNames.member.1": "iam:GetUser",
                                             "ActionNames.member.2": "iam:ListUsers"})
        c("iam", "SimulateCustomPolicy", {"PolicyInputList.member.1": doc, "ActionNames.member.1": "iam:GetUser"})
        for kind, key_name, name in (("User", "UserName", "s"), ("Role", "RoleName", "r"), ("Group", "GroupName", "g")):
            c("iam", "Detach%sPolicy" % kind, {key_name: name, "PolicyArn": arn})
            c("iam", "Delete%sPolicy" % kind, {key_name: name, "PolicyName": "i"})
        c("iam", "DeletePolicy", {"PolicyArn": arn})
        c("iam", "RemoveUserFromGroup", {"GroupName": "g", "UserName": "s"})
        c("iam", "DeleteGroup", {"GroupName": "g"})
        c("iam", "DeleteRole", {"RoleName": "r"})
        c("iam", "DeleteUser", {"UserName": "s"})
        ours = {o for s, o in self.seen if s == "iam"}
        self.assertEqual(len(ours), 59, sorted(ours))

    def test_sts_and_cloudformation_results_match_the_model(self):
        c = self.call
        c("sts", "GetCallerIdentity")
        c("iam", "CreateRole", {"RoleName": "sts-r", "AssumeRolePolicyDocument": trust(A + "root")})
        c("sts", "AssumeRole", {"RoleArn": A + "role/sts-r", "RoleSessionName": "s1", "Policy": allow("s3:*")})
        c("sts", "GetSessionToken")
        body = json.dumps({"Parameters": {"P": {"Type": "String", "Default": "x"}}, "Resources": {"T": {
            "Type": "AWS::DynamoDB::Table", "Properties": {
                "TableName": {"Fn::Sub": "shape-${P}"}, "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}},
            "Outputs": {"O": {"Value": {"Ref": "T"}, "Export": {"Name": "shape-export"}}}})
        c("cloudformation", "ValidateTemplate", {"TemplateBody": body})
        c("cloudformation", "GetTemplateSummary", {"TemplateBody": body})
        c("cloudformation", "CreateChangeSet", {"StackName": "shape", "ChangeSetName": "c1", "ChangeSetType": "CREATE",
                                                "TemplateBody": body, "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"})
        c("cloudformation", "DescribeChangeSet", {"StackName": "shape", "ChangeSetName": "c1"})
        c("cloudformation", "ListChangeSets", {"StackName": "shape"})
        c("cloudformation", "ExecuteChangeSet", {"StackName": "shape", "ChangeSetName": "c1"})
        c("cloudformation", "CreateChangeSet", {"StackName": "shape", "ChangeSetName": "c2", "TemplateBody": body,
                                                "Parameters.member.1.ParameterKey": "P",
                                                "Parameters.member.1.ParameterValue": "y"})
        c("cloudformation", "DescribeChangeSet", {"StackName": "shape", "ChangeSetName": "c2"})
        c("cloudformation", "DeleteChangeSet", {"StackName": "shape", "ChangeSetName": "c2"})
        c("cloudformation", "DescribeStacks", {"StackName": "shape"})
        c("cloudformation", "DescribeStacks")
        c("cloudformation", "DescribeStackEvents", {"StackName": "shape"})
        c("cloudformation", "DescribeStackResources", {"StackName": "shape"})
        c("cloudformation", "ListStackResources", {"StackName": "shape"})
        c("cloudformation", "GetTemplate", {"StackName": "shape"})
        c("cloudformation", "GetTemplateSummary", {"StackName": "shape"})
        c("cloudformation", "UpdateStack", {"StackName": "shape", "TemplateBody": body,
                                            "Parameters.member.1.ParameterKey": "P",
                                            "Parameters.member.1.ParameterValue": "z"})
        c("cloudformation", "ListStacks")
        c("cloudformation", "DeleteStack", {"StackName": "shape"})
        c("cloudformation", "CreateStack", {"StackName": "shape2", "TemplateBody": body})
        c("cloudformation", "ListStacks", {"StackStatusFilter.member.1": "DELETE_COMPLETE"})
        c("cloudformation", "DeleteStack", {"StackName": "shape2"})
        self.assertEqual(len({o for s, o in self.seen if s == "cloudformation"}), 16)


if __name__ == "__main__":
    unittest.main()
