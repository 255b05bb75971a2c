"""aws iam ... with the real CLIs (v1 and v2): operations, AWS's exact error codes and messages, and
the seed's read-only user denied every IAM call with AWS's exact XML AccessDenied."""
import json
import unittest

from iamhelp import IAM_NS, aws, allow, cli_error, error_xml, raw_query, trust
from lcserver import ACCOUNT, ServerTestCase, cdk_read_policy, denial

A = "arn:aws:iam::%s:" % ACCOUNT
READER = A + "user/read-table-user"
DOC = allow("dynamodb:GetItem")
TRUST = trust(A + "root")
POL = A + "policy/p"

# Every IAM operation the API answers, with the smallest valid request and the resource AWS names.
OPERATIONS = [
    ("CreateUser", {"UserName": "x"}, A + "user/x"),
    ("GetUser", {"UserName": "x"}, A + "user/x"),
    ("GetUser", {}, READER),
    ("ListUsers", {}, A + "user/"),
    ("DeleteUser", {"UserName": "x"}, A + "user/x"),
    ("CreateGroup", {"GroupName": "g"}, A + "group/g"),
    ("GetGroup", {"GroupName": "g"}, A + "group/g"),
    ("ListGroups", {}, A + "group/"),
    ("DeleteGroup", {"GroupName": "g"}, A + "group/g"),
    ("AddUserToGroup", {"GroupName": "g", "UserName": "x"}, A + "group/g"),
    ("RemoveUserFromGroup", {"GroupName": "g", "UserName": "x"}, A + "group/g"),
    ("ListGroupsForUser", {"UserName": "x"}, A + "user/x"),
    ("CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": TRUST}, A + "role/r"),
    ("GetRole", {"RoleName": "r"}, A + "role/r"),
    ("ListRoles", {}, A + "role/"),
    ("DeleteRole", {"RoleName": "r"}, A + "role/r"),
    ("UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": TRUST}, A + "role/r"),
    ("TagUser", {"UserName": "x", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}, A + "user/x"),
    ("UntagUser", {"UserName": "x", "TagKeys.member.1": "k"}, A + "user/x"),
    ("ListUserTags", {"UserName": "x"}, A + "user/x"),
    ("TagRole", {"RoleName": "r", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}, A + "role/r"),
    ("UntagRole", {"RoleName": "r", "TagKeys.member.1": "k"}, A + "role/r"),
    ("ListRoleTags", {"RoleName": "r"}, A + "role/r"),
    ("CreateAccessKey", {"UserName": "x"}, A + "user/x"),
    ("CreateAccessKey", {}, READER),
    ("ListAccessKeys", {"UserName": "x"}, A + "user/x"),
    ("UpdateAccessKey", {"UserName": "x", "AccessKeyId": "AKIAXXXXXXXXXXXXXXXX", "Status": "Inactive"}, A + "user/x"),
    ("DeleteAccessKey", {"UserName": "x", "AccessKeyId": "AKIAXXXXXXXXXXXXXXXX"}, A + "user/x"),
    ("PutUserPolicy", {"UserName": "x", "PolicyName": "p", "PolicyDocument": DOC}, A + "user/x"),
    ("GetUserPolicy", {"UserName": "x", "PolicyName": "p"}, A + "user/x"),
    ("DeleteUserPolicy", {"UserName": "x", "PolicyName": "p"}, A + "user/x"),
    ("ListUserPolicies", {"UserName": "x"}, A + "user/x"),
    ("PutRolePolicy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": DOC}, A + "role/r"),
    ("GetRolePolicy", {"RoleName": "r", "PolicyName": "p"}, A + "role/r"),
    ("DeleteRolePolicy", {"RoleName": "r", "PolicyName": "p"}, A + "role/r"),
    ("ListRolePolicies", {"RoleName": "r"}, A + "role/r"),
    ("PutGroupPolicy", {"GroupName": "g", "PolicyName": "p", "PolicyDocument": DOC}, A + "group/g"),
    ("GetGroupPolicy", {"GroupName": "g", "PolicyName": "p"}, A + "group/g"),
    ("DeleteGroupPolicy", {"GroupName": "g", "PolicyName": "p"}, A + "group/g"),
    ("ListGroupPolicies", {"GroupName": "g"}, A + "group/g"),
    ("CreatePolicy", {"PolicyName": "p", "PolicyDocument": DOC}, POL),
    ("GetPolicy", {"PolicyArn": POL}, POL),
    ("DeletePolicy", {"PolicyArn": POL}, POL),
    ("ListPolicies", {}, "*"),
    ("GetPolicyVersion", {"PolicyArn": POL, "VersionId": "v1"}, POL),
    ("CreatePolicyVersion", {"PolicyArn": POL, "PolicyDocument": DOC}, POL),
    ("ListPolicyVersions", {"PolicyArn": POL}, POL),
    ("DeletePolicyVersion", {"PolicyArn": POL, "VersionId": "v1"}, POL),
    ("SetDefaultPolicyVersion", {"PolicyArn": POL, "VersionId": "v1"}, POL),
    ("AttachUserPolicy", {"UserName": "x", "PolicyArn": POL}, A + "user/x"),
    ("DetachUserPolicy", {"UserName": "x", "PolicyArn": POL}, A + "user/x"),
    ("ListAttachedUserPolicies", {"UserName": "x"}, A + "user/x"),
    ("AttachRolePolicy", {"RoleName": "r", "PolicyArn": POL}, A + "role/r"),
    ("DetachRolePolicy", {"RoleName": "r", "PolicyArn": POL}, A + "role/r"),
    ("ListAttachedRolePolicies", {"RoleName": "r"}, A + "role/r"),
    ("AttachGroupPolicy", {"GroupName": "g", "PolicyArn": POL}, A + "group/g"),
    ("DetachGroupPolicy", {"GroupName": "g", "PolicyArn": POL}, A + "group/g"),
    ("ListAttachedGroupPolicies", {"GroupName": "g"}, A + "group/g"),
    ("SimulatePrincipalPolicy", {"PolicySourceArn": A + "user/x", "ActionNames.member.1": "s3:GetObject"},
     A + "user/x"),
    ("SimulateCustomPolicy", {"PolicyInputList.member.1": DOC, "ActionNames.member.1": "s3:GetObject"}, "*"),
    ("GetAccountAuthorizationDetails", {}, "*"),
]


class IamCli(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iam = cls.srv.boto3("iam")
        iam.create_user(UserName="read-table-user")
        iam.put_user_policy(UserName="read-table-user", PolicyName="readTableUserDefaultPolicyFD186BB0",
                            PolicyDocument=json.dumps(cdk_read_policy()))
        cls.reader = iam.create_access_key(UserName="read-table-user")["AccessKey"]

    def test_read_only_user_is_denied_every_iam_call_with_aws_xml(self):
        actions = set()
        for op, params, resource in OPERATIONS:
            with self.subTest(op=op, params=params):
                status, headers, body = raw_query(self.srv, "iam", op, params, creds=self.reader)
                self.assertEqual(status, 403, body)
                self.assertEqual(headers["content-type"], "text/xml")
                want = denial(READER, "iam:" + op, resource)
                self.assertEqual(body, error_xml(IAM_NS, "AccessDenied", want, headers["x-amzn-requestid"]))
                actions.add(op)
        self.assertEqual(len(actions), 59)

    def test_cli_drives_users_keys_policies_and_roles(self):
        for cli in ("v1", "v2"):
            with self.subTest(cli=cli):
                u = "cli-" + cli
                self.assertEqual(aws(self.srv, cli, "iam", "create-user", "--user-name", u)["User"]["Arn"], A + "user/" + u)
                key = aws(self.srv, cli, "iam", "create-access-key", "--user-name", u)["AccessKey"]
                self.assertEqual([k["AccessKeyId"] for k in aws(self.srv, cli, "iam", "list-access-keys", "--user-name",
                                                                 u)["AccessKeyMetadata"]], [key["AccessKeyId"]])
                aws(self.srv, cli, "iam", "put-user-policy", "--user-name", u, "--policy-name", "p",
                    "--policy-document", allow(["iam:GetUser", "sts:GetCallerIdentity"]))
                got = aws(self.srv, cli, "iam", "get-user-policy", "--user-name", u, "--policy-name", "p")
                self.assertEqual(got["PolicyDocument"]["Statement"][0]["Action"], ["iam:GetUser", "sts:GetCallerIdentity"])
                self.assertEqual(aws(self.srv, cli, "iam", "get-user", creds=key)["User"]["UserName"], u)
                pol = aws(self.srv, cli, "iam", "create-policy", "--policy-name", "mp-" + cli, "--policy-document",
                          DOC)["Policy"]
                aws(self.srv, cli, "iam", "attach-user-policy", "--user-name", u, "--policy-arn", pol["Arn"])
                self.assertEqual(aws(self.srv, cli, "iam", "list-attached-user-policies", "--user-name", u)[
                    "AttachedPolicies"], [{"PolicyName": "mp-" + cli, "PolicyArn": pol["Arn"]}])
                role = aws(self.srv, cli, "iam", "create-role", "--role-name", "r-" + cli,
                           "--assume-role-policy-document", TRUST)["Role"]
                self.assertEqual(aws(self.srv, cli, "iam", "get-role", "--role-name", "r-" + cli)["Role"]["RoleId"],
                                 role["RoleId"])
                names = [r["RoleName"] for r in aws(self.srv, cli, "iam", "list-roles")["Roles"]]
                self.assertIn("r-" + cli, names)
                aws(self.srv, cli, "iam", "update-access-key", "--user-name", u, "--access-key-id", key["AccessKeyId"],
                    "--status", "Inactive")
                code, msg = cli_error(aws(self.srv, cli, "iam", "get-user", creds=key, ok=False))
                self.assertEqual((code, msg), ("InvalidClientTokenId",
                                               "The security token included in the request is invalid"))

    def test_cli_errors_have_aws_codes_and_messages(self):
        cases = [
            (["iam", "get-user", "--user-name", "ghost"], ("NoSuchEntity", "The user with name ghost cannot be found.")),
            (["iam", "get-role", "--role-name", "ghost"], ("NoSuchEntity", "The role with name ghost cannot be found.")),
            (["iam", "get-policy", "--policy-arn", A + "policy/ghost"],
             ("NoSuchEntity", "Policy %spolicy/ghost does not exist or is not attachable." % A)),
            (["iam", "create-user", "--user-name", "read-table-user"],
             ("EntityAlreadyExists", "User with name read-table-user already exists.")),
            (["iam", "delete-user", "--user-name", "read-table-user"],
             ("DeleteConflict", "Cannot delete entity, must delete access keys first.")),
            (["iam", "get-user-policy", "--user-name", "read-table-user", "--policy-name", "nope"],
             ("NoSuchEntity", "The user policy with name nope cannot be found.")),
        ]
        for cli in ("v1", "v2"):
            for args, want in cases:
                with self.subTest(cli=cli, args=args):
                    self.assertEqual(cli_error(aws(self.srv, cli, *args, ok=False)), want)
            code, msg = cli_error(aws(self.srv, cli, "iam", "put-user-policy", "--user-name", "read-table-user",
                                      "--policy-name", "bad", "--policy-document",
                                      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*"}]}',
                                      ok=False))
            self.assertEqual(code, "MalformedPolicyDocument")
            self.assertIn("Statement[0]", msg)
            code, msg = cli_error(aws(self.srv, cli, "iam", "list-users", creds=self.reader, ok=False))
            self.assertEqual((code, msg), ("AccessDenied", denial(READER, "iam:ListUsers", A + "user/")))
        bad = dict(self.reader, SecretAccessKey="x" * 40)
        for cli in ("v1", "v2"):
            code, msg = cli_error(aws(self.srv, cli, "iam", "list-users", creds=bad, ok=False))
            self.assertEqual(code, "SignatureDoesNotMatch")
            self.assertTrue(msg.startswith("The request signature we calculated does not match the signature you "
                                           "provided."), msg)
            code, msg = cli_error(aws(self.srv, cli, "iam", "list-users",
                                      creds={"AccessKeyId": "AKIAUNKNOWNKEY000000", "SecretAccessKey": "x" * 40},
                                      ok=False))
            self.assertEqual((code, msg), ("InvalidClientTokenId",
                                           "The security token included in the request is invalid"))


if __name__ == "__main__":
    unittest.main()
