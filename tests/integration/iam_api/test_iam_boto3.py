"""Every IAM operation of the API through boto3, with AWS's shapes, codes and messages."""
import json
import unittest

from iamhelp import allow, error, raw_query, trust
from lcserver import ACCOUNT, ServerTestCase

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}


class IamApi(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.srv.boto3("iam")

    def test_users_create_get_list_delete(self):
        srv, iam = self.srv, self.iam
        u = iam.create_user(UserName="u1", Path="/team/", Tags=[{"Key": "k", "Value": "v"}])["User"]
        assert u["Arn"] == "arn:aws:iam::%s:user/team/u1" % ACCOUNT
        assert u["UserId"].startswith("AIDA") and u["Path"] == "/team/" and u["Tags"] == [{"Key": "k", "Value": "v"}]
        got = iam.get_user(UserName="u1")["User"]
        assert got["UserId"] == u["UserId"] and got["CreateDate"] == u["CreateDate"]
        assert "u1" in [x["UserName"] for x in iam.list_users()["Users"]]
        assert [x["UserName"] for x in iam.list_users(PathPrefix="/team/")["Users"]] == ["u1"]
        assert error(lambda: iam.create_user(UserName="u1")) == (409, "EntityAlreadyExists", "User with name u1 already exists.")
        assert error(lambda: iam.get_user(UserName="nobody")) == (404, "NoSuchEntity", "The user with name nobody cannot be found.")
        assert error(lambda: iam.create_user(UserName="bad name"))[:2] == (400, "ValidationError")
        iam.delete_user(UserName="u1")
        assert error(lambda: iam.delete_user(UserName="u1"))[1] == "NoSuchEntity"

    def test_get_user_without_name_is_the_caller(self):
        srv, iam = self.srv, self.iam
        root = iam.get_user()["User"]
        assert root["Arn"] == "arn:aws:iam::%s:root" % ACCOUNT and root["UserId"] == ACCOUNT
        iam.create_user(UserName="self")
        iam.put_user_policy(UserName="self", PolicyName="p", PolicyDocument=allow("iam:GetUser"))
        k = iam.create_access_key(UserName="self")["AccessKey"]
        me = srv.boto3("iam", creds=k).get_user()["User"]
        assert me["UserName"] == "self" and me["Arn"].endswith(":user/self")

    def test_access_keys_lifecycle_and_quota(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="keys")
        k1 = iam.create_access_key(UserName="keys")["AccessKey"]
        assert k1["AccessKeyId"].startswith("AKIA") and len(k1["SecretAccessKey"]) == 40 and k1["Status"] == "Active"
        k2 = iam.create_access_key(UserName="keys")["AccessKey"]
        assert error(lambda: iam.create_access_key(UserName="keys")) == (
            409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
        listed = iam.list_access_keys(UserName="keys")["AccessKeyMetadata"]
        assert sorted(k["AccessKeyId"] for k in listed) == sorted([k1["AccessKeyId"], k2["AccessKeyId"]])
        assert all("SecretAccessKey" not in k for k in listed)
        iam.update_access_key(UserName="keys", AccessKeyId=k1["AccessKeyId"], Status="Inactive")
        assert {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="keys")["AccessKeyMetadata"]}[
            k1["AccessKeyId"]] == "Inactive"
        assert error(lambda: iam.delete_access_key(UserName="keys", AccessKeyId="AKIANOTAKEY000000000")) == (
            404, "NoSuchEntity", "The Access Key with id AKIANOTAKEY000000000 cannot be found.")
        iam.delete_access_key(UserName="keys", AccessKeyId=k2["AccessKeyId"])
        assert len(iam.list_access_keys(UserName="keys")["AccessKeyMetadata"]) == 1

    def test_inactive_key_is_refused_by_the_pipeline(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="sleepy")
        iam.put_user_policy(UserName="sleepy", PolicyName="p", PolicyDocument=allow("iam:GetUser"))
        k = iam.create_access_key(UserName="sleepy")["AccessKey"]
        client = srv.boto3("iam", creds=k)
        assert client.get_user()["User"]["UserName"] == "sleepy"
        iam.update_access_key(UserName="sleepy", AccessKeyId=k["AccessKeyId"], Status="Inactive")
        assert error(lambda: client.get_user()) == (403, "InvalidClientTokenId",
                                                    "The security token included in the request is invalid")
        iam.update_access_key(UserName="sleepy", AccessKeyId=k["AccessKeyId"], Status="Active")
        assert client.get_user()["User"]["UserName"] == "sleepy"

    def test_delete_user_refused_while_it_has_keys_or_policies(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="busy")
        k = iam.create_access_key(UserName="busy")["AccessKey"]
        iam.put_user_policy(UserName="busy", PolicyName="p", PolicyDocument=json.dumps(POLICY))
        arn = iam.create_policy(PolicyName="busy-managed", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="busy", PolicyArn=arn)
        iam.create_group(GroupName="busy-group")
        iam.add_user_to_group(GroupName="busy-group", UserName="busy")
        msg = lambda: error(lambda: iam.delete_user(UserName="busy"))
        assert msg() == (409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
        iam.delete_access_key(UserName="busy", AccessKeyId=k["AccessKeyId"])
        assert msg() == (409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
        iam.delete_user_policy(UserName="busy", PolicyName="p")
        assert msg() == (409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
        iam.detach_user_policy(UserName="busy", PolicyArn=arn)
        assert msg()[1] == "DeleteConflict"
        iam.remove_user_from_group(GroupName="busy-group", UserName="busy")
        iam.delete_user(UserName="busy")

    def test_inline_policies_of_users_roles_and_groups(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="inl")
        iam.create_group(GroupName="inl-g")
        iam.create_role(RoleName="inl-r", AssumeRolePolicyDocument=trust("arn:aws:iam::%s:root" % ACCOUNT))
        for kind, name in (("user", "inl"), ("group", "inl-g"), ("role", "inl-r")):
            key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
            cap = kind.capitalize()
            getattr(iam, "put_%s_policy" % kind)(**{key: name, "PolicyName": "a", "PolicyDocument": json.dumps(POLICY)})
            got = getattr(iam, "get_%s_policy" % kind)(**{key: name, "PolicyName": "a"})
            assert got["PolicyDocument"] == POLICY and got[key] == name and got["PolicyName"] == "a"
            assert getattr(iam, "list_%s_policies" % kind)(**{key: name})["PolicyNames"] == ["a"]
            assert error(lambda: getattr(iam, "get_%s_policy" % kind)(**{key: name, "PolicyName": "zz"})) == (
                404, "NoSuchEntity", "The %s policy with name zz cannot be found." % kind)
            getattr(iam, "delete_%s_policy" % kind)(**{key: name, "PolicyName": "a"})
            assert getattr(iam, "list_%s_policies" % kind)(**{key: name})["PolicyNames"] == [], cap

    def test_malformed_policy_documents_are_refused_with_the_engines_message(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="mal")
        bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem"}]}
        status, code, message = error(lambda: iam.put_user_policy(UserName="mal", PolicyName="p",
                                                                  PolicyDocument=json.dumps(bad)))
        assert (status, code) == (400, "MalformedPolicyDocument") and "Statement[0]" in message
        assert error(lambda: iam.create_policy(PolicyName="m", PolicyDocument="{not json"))[1] == "MalformedPolicyDocument"
        assert error(lambda: iam.create_role(RoleName="m", AssumeRolePolicyDocument=json.dumps(POLICY)))[1] == \
            "MalformedPolicyDocument"

    def test_managed_policies_with_versions(self):
        srv, iam = self.srv, self.iam
        p = iam.create_policy(PolicyName="mp", Path="/app/", PolicyDocument=json.dumps(POLICY), Description="d")["Policy"]
        arn = "arn:aws:iam::%s:policy/app/mp" % ACCOUNT
        assert p["Arn"] == arn and p["DefaultVersionId"] == "v1" and p["PolicyId"].startswith("ANPA")
        assert p["Description"] == "d" and p["AttachmentCount"] == 0
        assert error(lambda: iam.create_policy(PolicyName="mp", Path="/app/", PolicyDocument=json.dumps(POLICY))) == (
            409, "EntityAlreadyExists", "A policy called mp already exists. Duplicate names are not allowed.")
        v2doc = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Action="dynamodb:Query")])
        v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2doc), SetAsDefault=True)["PolicyVersion"]
        assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True
        assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
        assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"] == POLICY
        assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == v2doc
        for _ in range(3):
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
        assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v5", "v4", "v3", "v2", "v1"]
        assert error(lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY)))[:2] == (
            409, "LimitExceeded")
        assert error(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v2")) == (
            409, "DeleteConflict", "Cannot delete the default version of a policy.")
        iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
        assert error(lambda: iam.delete_policy(PolicyArn=arn))[:2] == (409, "DeleteConflict")
        for v in ("v2", "v3", "v4", "v5"):
            iam.delete_policy_version(PolicyArn=arn, VersionId=v)
        assert error(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v9"))[:2] == (404, "NoSuchEntity")
        assert arn in [x["Arn"] for x in iam.list_policies(Scope="Local")["Policies"]]
        assert arn not in [x["Arn"] for x in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]]
        iam.delete_policy(PolicyArn=arn)
        assert error(lambda: iam.get_policy(PolicyArn=arn)) == (
            404, "NoSuchEntity", "Policy %s does not exist or is not attachable." % arn)

    def test_attach_and_detach_on_users_roles_groups(self):
        srv, iam = self.srv, self.iam
        arn = iam.create_policy(PolicyName="att", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
        iam.create_user(UserName="att-u")
        iam.create_group(GroupName="att-g")
        iam.create_role(RoleName="att-r", AssumeRolePolicyDocument=trust("arn:aws:iam::%s:root" % ACCOUNT))
        for kind, key, name in (("user", "UserName", "att-u"), ("group", "GroupName", "att-g"), ("role", "RoleName", "att-r")):
            getattr(iam, "attach_%s_policy" % kind)(**{key: name, "PolicyArn": arn})
            listed = getattr(iam, "list_attached_%s_policies" % kind)(**{key: name})["AttachedPolicies"]
            assert listed == [{"PolicyName": "att", "PolicyArn": arn}]
        assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
        missing = "arn:aws:iam::%s:policy/missing" % ACCOUNT
        assert error(lambda: iam.attach_user_policy(UserName="att-u", PolicyArn=missing)) == (
            404, "NoSuchEntity", "Policy %s does not exist or is not attachable." % missing)
        for kind, key, name in (("user", "UserName", "att-u"), ("group", "GroupName", "att-g"), ("role", "RoleName", "att-r")):
            getattr(iam, "detach_%s_policy" % kind)(**{key: name, "PolicyArn": arn})
            assert getattr(iam, "list_attached_%s_policies" % kind)(**{key: name})["AttachedPolicies"] == []

    def test_groups_and_membership(self):
        srv, iam = self.srv, self.iam
        g = iam.create_group(GroupName="grp")["Group"]
        assert g["GroupId"].startswith("AGPA") and g["Arn"].endswith(":group/grp")
        iam.create_user(UserName="member")
        iam.add_user_to_group(GroupName="grp", UserName="member")
        got = iam.get_group(GroupName="grp")
        assert [u["UserName"] for u in got["Users"]] == ["member"]
        assert [x["GroupName"] for x in iam.list_groups_for_user(UserName="member")["Groups"]] == ["grp"]
        assert "grp" in [x["GroupName"] for x in iam.list_groups()["Groups"]]
        assert error(lambda: iam.delete_group(GroupName="grp"))[:2] == (409, "DeleteConflict")
        iam.remove_user_from_group(GroupName="grp", UserName="member")
        assert iam.get_group(GroupName="grp")["Users"] == []
        iam.delete_group(GroupName="grp")
        assert error(lambda: iam.get_group(GroupName="grp")) == (404, "NoSuchEntity", "The group with name grp cannot be found.")

    def test_roles_and_tags(self):
        srv, iam = self.srv, self.iam
        doc = trust("arn:aws:iam::%s:root" % ACCOUNT)
        r = iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=doc, Description="desc", MaxSessionDuration=7200,
                            Tags=[{"Key": "a", "Value": "1"}])["Role"]
        assert r["RoleId"].startswith("AROA") and r["AssumeRolePolicyDocument"] == json.loads(doc)
        got = iam.get_role(RoleName="tagged")["Role"]
        assert got["Description"] == "desc" and got["MaxSessionDuration"] == 7200 and got["Tags"] == [{"Key": "a", "Value": "1"}]
        assert "tagged" in [x["RoleName"] for x in iam.list_roles()["Roles"]]
        iam.tag_role(RoleName="tagged", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
        assert iam.list_role_tags(RoleName="tagged")["Tags"] == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
        iam.untag_role(RoleName="tagged", TagKeys=["a"])
        assert iam.list_role_tags(RoleName="tagged")["Tags"] == [{"Key": "b", "Value": "2"}]
        iam.create_user(UserName="tagu")
        iam.tag_user(UserName="tagu", Tags=[{"Key": "x", "Value": "y"}])
        assert iam.list_user_tags(UserName="tagu")["Tags"] == [{"Key": "x", "Value": "y"}]
        iam.untag_user(UserName="tagu", TagKeys=["x"])
        assert iam.list_user_tags(UserName="tagu")["Tags"] == []
        assert error(lambda: iam.get_role(RoleName="none")) == (404, "NoSuchEntity", "The role with name none cannot be found.")
        assert error(lambda: iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=doc)) == (
            409, "EntityAlreadyExists", "Role with name tagged already exists.")
        iam.update_assume_role_policy(RoleName="tagged", PolicyDocument=trust("arn:aws:iam::%s:user/tagu" % ACCOUNT))
        assert iam.get_role(RoleName="tagged")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] \
            .endswith(":user/tagu")
        iam.delete_role(RoleName="tagged")
        assert "tagged" not in [x["RoleName"] for x in iam.list_roles()["Roles"]]

    def test_account_authorization_details(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="aad")
        iam.put_user_policy(UserName="aad", PolicyName="inline", PolicyDocument=json.dumps(POLICY))
        arn = iam.create_policy(PolicyName="aad-m", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="aad", PolicyArn=arn)
        d = iam.get_account_authorization_details()
        user = [u for u in d["UserDetailList"] if u["UserName"] == "aad"][0]
        assert user["UserPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": POLICY}]
        assert user["AttachedManagedPolicies"] == [{"PolicyName": "aad-m", "PolicyArn": arn}]
        pol = [p for p in d["Policies"] if p["Arn"] == arn][0]
        assert pol["PolicyVersionList"][0]["Document"] == POLICY and pol["AttachmentCount"] == 1
        only_users = iam.get_account_authorization_details(Filter=["User"])
        assert "RoleDetailList" not in only_users or only_users["RoleDetailList"] == []

    def test_simulate_principal_and_custom_policy_use_the_engine(self):
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="sim")
        iam.put_user_policy(UserName="sim", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
                {"Sid": "NoT2", "Effect": "Deny", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/t2"}]}))
        arn = "arn:aws:iam::%s:user/sim" % ACCOUNT
        t1, t2 = "arn:aws:dynamodb:us-east-1:%s:table/t1" % ACCOUNT, "arn:aws:dynamodb:us-east-1:%s:table/t2" % ACCOUNT
        res = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["dynamodb:GetItem", "dynamodb:PutItem"],
                                            ResourceArns=[t1, t2])["EvaluationResults"]
        got = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in res}
        assert got == {("dynamodb:GetItem", t1): "allowed", ("dynamodb:GetItem", t2): "explicitDeny",
                       ("dynamodb:PutItem", t1): "implicitDeny", ("dynamodb:PutItem", t2): "explicitDeny"}
        allowed = [r for r in res if r["EvalDecision"] == "allowed"][0]
        assert allowed["MatchedStatements"][0]["SourcePolicyId"] == "sim/p"
        custom = iam.simulate_custom_policy(
            PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceIp": "10.0.0.1"}}}]})],
            ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": "ip"}],
        )["EvaluationResults"]
        assert custom[0]["EvalDecision"] == "allowed"
        custom = iam.simulate_custom_policy(PolicyInputList=[json.dumps(POLICY)], ActionNames=["dynamodb:PutItem"])
        assert custom["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"

    def test_lists_are_paginated_with_marker_and_max_items(self):
        iam = self.iam
        names = ["page-%02d" % i for i in range(7)]
        for n in names:
            iam.create_user(UserName=n, Path="/paged/")
            iam.create_policy(PolicyName=n, Path="/paged/", PolicyDocument=json.dumps(POLICY))
        first = iam.list_users(PathPrefix="/paged/", MaxItems=3)
        assert [u["UserName"] for u in first["Users"]] == names[:3] and first["IsTruncated"] is True
        second = iam.list_users(PathPrefix="/paged/", MaxItems=3, Marker=first["Marker"])
        assert [u["UserName"] for u in second["Users"]] == names[3:6]
        for op, key, field in (("list_users", "Users", "UserName"), ("list_policies", "Policies", "PolicyName")):
            pages = list(iam.get_paginator(op).paginate(PathPrefix="/paged/", PaginationConfig={"PageSize": 2}))
            assert [len(p[key]) for p in pages] == [2, 2, 2, 1], op
            assert [x[field] for p in pages for x in p[key]] == names
        # boto3 refuses MaxItems=0 itself: send it raw.
        status, _, body = raw_query(self.srv, "iam", "ListUsers", {"MaxItems": "0"})
        assert status == 400 and "<Code>ValidationError</Code>" in body and "&apos;maxItems&apos;" in body, body

    def test_policies_granted_through_the_api_are_enforced(self):
        """An attached managed policy, its new default version and a group's policy change what a key may do."""
        srv, iam = self.srv, self.iam
        iam.create_user(UserName="enf")
        k = iam.create_access_key(UserName="enf")["AccessKey"]
        client = srv.boto3("iam", creds=k)
        assert error(lambda: client.list_roles())[1] == "AccessDenied"
        arn = iam.create_policy(PolicyName="enf", PolicyDocument=allow("iam:ListRoles"))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="enf", PolicyArn=arn)
        client.list_roles()
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("iam:ListUsers"), SetAsDefault=True)
        assert error(lambda: client.list_roles())[1] == "AccessDenied"
        client.list_users()
        iam.create_group(GroupName="enf-g")
        iam.put_group_policy(GroupName="enf-g", PolicyName="p", PolicyDocument=allow("iam:ListGroups"))
        assert error(lambda: client.list_groups())[1] == "AccessDenied"
        iam.add_user_to_group(GroupName="enf-g", UserName="enf")
        client.list_groups()


if __name__ == "__main__":
    unittest.main()
