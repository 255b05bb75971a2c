"""STS: GetCallerIdentity as root, a user and an assumed role (aws CLI v1 and v2, boto3); AssumeRole
checks the role's trust policy with the IAM engine; GetSessionToken."""
import json
import unittest

from iamhelp import STS_NS, aws, allow, cli_error, error, error_xml, raw_query, trust
from lcserver import ACCOUNT, ServerTestCase

ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT
A_ROLE = "arn:aws:iam::%s:role/" % ACCOUNT


class Sts(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iam = cls.srv.boto3("iam")
        cls.iam = iam
        iam.create_user(UserName="dev")
        cls.dev = iam.create_access_key(UserName="dev")["AccessKey"]
        cls.dev_id = iam.get_user(UserName="dev")["User"]["UserId"]
        # Trusts the user by ARN: no identity permission needed within the account.
        cls.role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust(
            "arn:aws:iam::%s:user/dev" % ACCOUNT))["Role"]
        iam.put_role_policy(RoleName="deployer", PolicyName="p", PolicyDocument=allow(["iam:ListRoles", "iam:ListUsers"]))
        # Trusts the account: the caller's identity policy must allow sts:AssumeRole too.
        cls.acct_role = iam.create_role(RoleName="account-trust", AssumeRolePolicyDocument=trust(ROOT_ARN))["Role"]

    def assume(self, creds, role_arn, session="s1", **kw):
        return self.srv.boto3("sts", creds=creds).assume_role(RoleArn=role_arn, RoleSessionName=session, **kw)

    def test_get_caller_identity_with_both_clis(self):
        srv = self.srv
        session = self.assume(self.dev, self.role["Arn"], "cli-session")["Credentials"]
        cases = [
            (None, {"UserId": ACCOUNT, "Account": ACCOUNT, "Arn": ROOT_ARN}),
            (self.dev, {"UserId": self.dev_id, "Account": ACCOUNT, "Arn": "arn:aws:iam::%s:user/dev" % ACCOUNT}),
            (session, {"UserId": "%s:cli-session" % self.role["RoleId"], "Account": ACCOUNT,
                       "Arn": "arn:aws:sts::%s:assumed-role/deployer/cli-session" % ACCOUNT}),
        ]
        for cli in ("v1", "v2"):
            for creds, want in cases:
                self.assertEqual(aws(srv, cli, "sts", "get-caller-identity", creds=creds), want)

    def test_assumed_role_acts_with_the_roles_policies(self):
        c = self.assume(self.dev, self.role["Arn"])
        assert c["AssumedRoleUser"] == {"AssumedRoleId": "%s:s1" % self.role["RoleId"],
                                        "Arn": "arn:aws:sts::%s:assumed-role/deployer/s1" % ACCOUNT}
        creds = c["Credentials"]
        assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
        as_role = self.srv.boto3("iam", creds=creds)
        as_role.list_roles()
        status, code, msg = error(lambda: as_role.list_groups())
        assert (status, code) == (403, "AccessDenied")
        assert msg == ("User: arn:aws:sts::%s:assumed-role/deployer/s1 is not authorized to perform: iam:ListGroups on "
                       "resource: arn:aws:iam::%s:group/ because no identity-based policy allows the iam:ListGroups "
                       "action" % (ACCOUNT, ACCOUNT))

    def test_session_policy_narrows_the_role(self):
        creds = self.assume(self.dev, self.role["Arn"], "narrow", Policy=allow("iam:ListUsers"))["Credentials"]
        as_role = self.srv.boto3("iam", creds=creds)
        as_role.list_users()
        status, code, msg = error(lambda: as_role.list_roles())
        assert code == "AccessDenied" and msg.endswith("because no session policy allows the iam:ListRoles action"), msg

    def test_trust_policy_is_checked_with_the_engine(self):
        iam = self.iam
        iam.create_user(UserName="outsider")
        out = iam.create_access_key(UserName="outsider")["AccessKey"]
        arn = self.role["Arn"]
        status, code, msg = error(lambda: self.assume(out, arn))
        assert (status, code) == (403, "AccessDenied")
        assert msg == ("User: arn:aws:iam::%s:user/outsider is not authorized to perform: sts:AssumeRole on resource: %s "
                       "because no identity-based policy allows the sts:AssumeRole action" % (ACCOUNT, arn))
        # Exact XML with STS's namespace.
        st, headers, body = raw_query(self.srv, "sts", "AssumeRole", {"RoleArn": arn, "RoleSessionName": "xy"}, creds=out)
        assert st == 403 and headers["content-type"] == "text/xml", (st, body)
        assert body == error_xml(STS_NS, "AccessDenied", msg, headers["x-amzn-requestid"])
        # A trust policy naming the account needs an identity allow as well.
        acct = self.acct_role["Arn"]
        assert error(lambda: self.assume(self.dev, acct))[1] == "AccessDenied"
        iam.put_user_policy(UserName="outsider", PolicyName="assume", PolicyDocument=allow("sts:AssumeRole", acct))
        assert self.assume(out, acct)["AssumedRoleUser"]["Arn"].endswith(":assumed-role/account-trust/s1")
        # An explicit deny in the trust policy wins.
        iam.update_assume_role_policy(RoleName="account-trust", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "sts:AssumeRole"},
                {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::%s:user/outsider" % ACCOUNT},
                 "Action": "sts:AssumeRole"}]}))
        status, code, msg = error(lambda: self.assume(out, acct))
        assert code == "AccessDenied" and msg.endswith("with an explicit deny in a resource-based policy"), msg
        # Root may assume a role that trusts the account.
        iam.update_assume_role_policy(RoleName="account-trust", PolicyDocument=trust(ROOT_ARN))
        assert self.assume(self.srv.root_credentials(), acct)["Credentials"]["AccessKeyId"].startswith("ASIA")

    def test_assume_role_errors(self):
        missing = "arn:aws:iam::%s:role/missing" % ACCOUNT
        status, code, msg = error(lambda: self.assume(self.dev, missing))
        assert (status, code) == (403, "AccessDenied") and "sts:AssumeRole on resource: %s" % missing in msg
        for cli in ("v1", "v2"):
            stderr = aws(self.srv, cli, "sts", "assume-role", "--role-arn", self.role["Arn"], "--role-session-name", "xy",
                         "--duration-seconds", "7200", creds=self.dev, ok=False)
            assert cli_error(stderr) == ("ValidationError", "The requested DurationSeconds exceeds the "
                                         "MaxSessionDuration set for this role."), stderr
        status, code, msg = error(lambda: self.assume(self.dev, self.role["Arn"], DurationSeconds=7200))
        assert (code, msg) == ("ValidationError",
                               "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

    def test_assume_role_decisions_are_in_the_trail(self):
        iam = self.iam
        iam.create_role(RoleName="trailed", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Dev", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:user/dev" % ACCOUNT},
             "Action": "sts:AssumeRole"}]}))
        arn = A_ROLE + "trailed"
        self.assume(self.dev, arn, "traced")
        iam.create_user(UserName="nobody-trailed")
        other = iam.create_access_key(UserName="nobody-trailed")["AccessKey"]
        error(lambda: self.assume(other, arn, "refused"))
        import time
        deadline = time.time() + 5
        while time.time() < deadline:
            rows = [r for r in self.srv.trail() if r["operation"] == "AssumeRole" and r["resources"] == json.dumps([arn])]
            if len(rows) == 2:
                break
            time.sleep(0.1)
        ok, refused = rows
        self.assertEqual((ok["action"], ok["decision"], ok["policy"], ok["statement"], ok["sid"], ok["http_status"]),
                         ("sts:AssumeRole", "Allowed", arn + "/trust", 0, "Dev", 200))
        self.assertEqual(ok["principal_arn"], "arn:aws:iam::%s:user/dev" % ACCOUNT)
        self.assertEqual((refused["decision"], refused["error_code"], refused["http_status"]),
                         ("ImplicitlyDenied", "AccessDenied", 403))

    def test_get_session_token(self):
        sts = self.srv.boto3("sts", creds=self.dev)
        self.iam.put_user_policy(UserName="dev", PolicyName="gst",
                                 PolicyDocument=allow(["sts:GetSessionToken", "iam:GetUser"]))
        c = sts.get_session_token(DurationSeconds=900)["Credentials"]
        assert c["AccessKeyId"].startswith("ASIA") and c["SessionToken"]
        me = self.srv.boto3("sts", creds=c).get_caller_identity()
        assert me["Arn"] == "arn:aws:iam::%s:user/dev" % ACCOUNT
        assert self.srv.boto3("iam", creds=c).get_user()["User"]["UserName"] == "dev"
        # Without the token, the temporary key is refused.
        bare = {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"]}
        assert error(lambda: self.srv.boto3("sts", creds=bare).get_caller_identity())[1] in (
            "InvalidClientTokenId", "IncompleteSignature", "MissingAuthenticationToken")
        assert error(lambda: self.srv.boto3("sts", creds=c).get_session_token())[:2] == (403, "AccessDenied")


if __name__ == "__main__":
    unittest.main()
