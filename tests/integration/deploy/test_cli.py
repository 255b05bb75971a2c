#!/usr/bin/env python3
"""The deploy commands of the `leastcloud` CLI, run as a user runs them. One case per argv[1]."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("LC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../../.."))
BUILD = os.environ.get("LC_BUILD_DIR", os.path.join(SRC, "build"))
LC = os.path.join(BUILD, "leastcloud")
REF = os.path.join(SRC, "tests", "data", "cdk-reference")
SEED = os.path.join(REF, "seed", "default", "SampleCDKStack.template.json")
WRITE = os.path.join(REF, "write", "default", "WriteStack.template.json")


class Case:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lc-deploy-it-")
        self.state = os.path.join(self.dir, "state")

    def lc(self, *args, env=None, cwd=None, check=None):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run([LC, "--state", self.state, *args], capture_output=True, text=True, env=e,
                           cwd=cwd, stdin=subprocess.DEVNULL, timeout=240)
        if check is not None and p.returncode != check:
            raise AssertionError(f"leastcloud {' '.join(args)}: exit {p.returncode}, want {check}\n"
                                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def db(self, sql):
        con = sqlite3.connect(f"file:{os.path.join(self.state, 'state.db')}?mode=ro", uri=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def users(self):
        return sorted(r[0] for r in self.db("SELECT name FROM principals WHERE type='user'"))

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def deploy_json_outputs_and_diff(c):
    p = c.lc("--json", "deploy", "--template", SEED, "--stack-name", "Seed", check=0)
    doc = json.loads(p.stdout)
    expect(doc[0]["StackStatus"] == "CREATE_COMPLETE", doc)
    key = doc[0]["Outputs"]["accessToken"]
    expect(key.startswith("AKIA") and len(key) == 20, key)
    expect("2024-01-09" in p.stderr, "the nodejs14.x warning names the date: " + p.stderr)
    out = json.loads(c.lc("--json", "outputs", "Seed", check=0).stdout)
    expect(out["Outputs"]["accessToken"] == key and out["StackStatus"] == "CREATE_COMPLETE", out)
    text = c.lc("outputs", "Seed", check=0).stdout
    expect(f"Seed.accessToken = {key}" in text, text)
    expect(c.db(f"SELECT secret FROM access_keys WHERE key_id='{key}'")[0][0] == out["Outputs"]["secretAccessToken"],
           "the secret output is the key's secret")
    d = c.lc("diff", "--template", WRITE, "--stack-name", "Seed", check=0).stdout
    expect("[~] AWS::IAM::Policy readfunctionServiceRoleDefaultPolicy48580EEC" in d, d)
    dj = json.loads(c.lc("--json", "diff", "--template", SEED, "--stack-name", "Seed", check=0).stdout)
    expect(dj == {"Seed": []}, dj)
    p = c.lc("deploy", "--template", WRITE, "--stack-name", "Seed", check=0)
    expect("UPDATE_COMPLETE" in p.stdout, p.stdout)
    c.lc("destroy", "Seed", "--force", check=0)
    expect(c.users() == [], c.users())
    expect(c.db("SELECT COUNT(*) FROM ddb_table")[0][0] == 1, "the retained table stays")


def destroy_never_asks_off_a_terminal(c):
    c.lc("deploy", "--template", SEED, "--stack-name", "Seed", check=0)
    p = c.lc("destroy", "Seed", check=2)
    expect("--force" in p.stderr, p.stderr)
    expect(c.users() == ["read-table-user"], "nothing was deleted")
    c.lc("destroy", "Seed", "--force", check=0)


def _start_slow_deploy(c, template, stack, delay_ms="400"):
    env = dict(os.environ, LEASTCLOUD_DEPLOY_STEP_DELAY_MS=delay_ms)
    proc = subprocess.Popen([LC, "--state", c.state, "deploy", "--template", template, "--stack-name", stack],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    for _ in range(500):
        try:
            n = c.db("SELECT COUNT(*) FROM cfn_resources")[0][0]
        except sqlite3.Error:
            n = 0
        if n >= 3:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.pid


def killed_deploy_is_reported_and_deleted(c):
    pid = _start_slow_deploy(c, SEED, "Killed")
    p = c.lc("--json", "outputs", "Killed", check=1)
    doc = json.loads(p.stdout)
    expect(doc["StackStatus"] == "CREATE_IN_PROGRESS" and doc["Interrupted"] is True, doc)
    expect(f"(pid {pid}) is gone" in p.stderr, p.stderr)
    d = c.lc("diff", "--template", SEED, "--stack-name", "Killed", check=0).stdout
    expect("interrupted" in d, d)
    expect(c.lc("destroy", "Killed", "--force", check=0).returncode == 0, "destroy works")
    expect(c.users() == [], c.users())
    expect(c.db("SELECT COUNT(*) FROM principals WHERE type='role'")[0][0] == 0, "no role left")
    expect(c.db("SELECT COUNT(*) FROM cfn_resources")[0][0] == 0, "no resource rows left")
    c.lc("outputs", "Killed", check=1)


def killed_deploy_rolls_back_on_the_next_deploy(c):
    # A table without DeletionPolicy Retain, so that the rollback leaves nothing behind.
    tmpl = os.path.join(c.dir, "t.yaml")
    with open(tmpl, "w") as f:
        f.write("Resources:\n"
                "  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
                "      BillingMode: PAY_PER_REQUEST\n"
                "  User:\n    Type: AWS::IAM::User\n"
                "  Key:\n    Type: AWS::IAM::AccessKey\n    Properties: {UserName: !Ref User}\n"
                "  Group:\n    Type: AWS::IAM::Group\n"
                "Outputs:\n  Table: {Value: !Ref Table}\n")
    _start_slow_deploy(c, tmpl, "Again")
    p = c.lc("deploy", "--template", tmpl, "--stack-name", "Again", check=0)
    expect("interrupted" in p.stdout and "ROLLBACK_COMPLETE" in p.stdout and "CREATE_COMPLETE" in p.stdout, p.stdout)
    expect(len(c.users()) == 1, c.users())
    expect(c.db("SELECT COUNT(*) FROM ddb_table")[0][0] == 1, "one table: the new one")
    c.lc("destroy", "Again", "--force", check=0)
    expect(c.users() == [] and c.db("SELECT COUNT(*) FROM ddb_table")[0][0] == 0, "all gone")


def javascript_cdk_app_folder(c):
    app = os.path.join(c.dir, "app")
    src = os.path.join(REF, "invoke")
    os.makedirs(app)
    for name in ("app.js", "cdk.json"):
        shutil.copy(os.path.join(src, name), app)
    shutil.copytree(os.path.join(src, "functionLocation"), os.path.join(app, "functionLocation"))
    env = {"NODE_PATH": os.path.join(SRC, "node_modules")}
    p = c.lc("deploy", env=env, cwd=app, check=0)
    expect("InvokeStack.accessToken = AKIA" in p.stdout, p.stdout)
    code = c.db("SELECT code_dir FROM lambda_functions WHERE name='read-function'")[0][0]
    expect(os.path.exists(os.path.join(code, "index.js")), "the function's code is kept in the state")
    p = c.lc("destroy", "--force", env=env, cwd=app, check=0)
    expect("DELETE_COMPLETE" in p.stdout, p.stdout)
    expect(c.db("SELECT COUNT(*) FROM lambda_functions")[0][0] == 0, "function gone")


def cloud_assembly_as_app(c):
    p = c.lc("deploy", "--app", os.path.join(REF, "sortkey-gsi", "default"), check=0)
    expect("SortKeyGsiStack" in p.stdout and "CREATE_COMPLETE" in p.stdout, p.stdout)
    c.lc("destroy", "SortKeyGsiStack", "--force", check=0)
    expect(c.db("SELECT COUNT(*) FROM ddb_table")[0][0] == 0, "DeletionPolicy Delete: the table went too")
    p = c.lc("deploy", "NoSuchStack", "--app", os.path.join(REF, "seed", "default"), check=1)
    expect("No stack found matching 'NoSuchStack'" in p.stderr, p.stderr)


def yaml_template_with_short_forms(c):
    tmpl = os.path.join(c.dir, "t.yaml")
    with open(tmpl, "w") as f:
        f.write("Parameters:\n  Prefix: {Type: String, Default: demo, AllowedPattern: '[a-z]+'}\n"
                "Resources:\n"
                "  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${Prefix}-${AWS::Region}'\n"
                "  Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n"
                "      AlarmActions: [!Ref Topic]\n      MetricName: ConsumedReadCapacityUnits\n"
                "      Namespace: AWS/DynamoDB\n      Statistic: Sum\n      Period: 60\n"
                "      EvaluationPeriods: 1\n      Threshold: 100\n      ComparisonOperator: GreaterThanThreshold\n"
                "  Key:\n    Type: AWS::KMS::Key\n"
                "Outputs:\n  Topic: {Value: !GetAtt Topic.TopicName}\n  Alarm: {Value: !GetAtt Alarm.Arn}\n"
                "  KeyArn: {Value: !GetAtt [Key, Arn]}\n")
    doc = json.loads(c.lc("--json", "deploy", "--template", tmpl, "--stack-name", "Y", "--parameters", "Prefix=abc",
                          check=0).stdout)
    o = doc[0]["Outputs"]
    expect(o["Topic"] == "abc-us-east-1", o)
    expect(o["Alarm"].startswith("arn:aws:cloudwatch:us-east-1:000000000000:alarm:Y-Alarm-"), o)
    expect(o["KeyArn"].startswith("arn:aws:kms:us-east-1:000000000000:key/"), o)
    p = c.lc("deploy", "--template", tmpl, "--stack-name", "Y2", "--parameters", "Prefix=ABC", check=1)
    expect("Parameter 'Prefix' must match pattern [a-z]+" in p.stderr, p.stderr)
    c.lc("destroy", "Y", "--force", check=0)


def ten_problems_one_error_nothing_created(c):
    tmpl = os.path.join(c.dir, "bad.json")
    resources = {f"U{i}": {"Type": "AWS::IAM::User", "Properties": {"UserName": {"Ref": f"Missing{i}"}}}
                 for i in range(10)}
    with open(tmpl, "w") as f:
        json.dump({"Resources": resources}, f)
    p = c.lc("deploy", "--template", tmpl, "--stack-name", "Bad", check=1)
    expect("10 problems; nothing was created" in p.stderr, p.stderr)
    for i in range(10):
        expect(f"[Missing{i}]" in p.stderr, f"problem {i} reported")
    expect(c.db("SELECT COUNT(*) FROM cfn_stacks")[0][0] == 0, "no stack row")


def lambda_code_from_zip_asset_and_inline(c):
    import zipfile
    asm = os.path.join(c.dir, "asm")
    os.makedirs(asm)
    with zipfile.ZipFile(os.path.join(asm, "code.zip"), "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 42\n")
        z.writestr("lib/util.py", "X = 1\n")
    with open(os.path.join(asm, "S.assets.json"), "w") as f:
        json.dump({"version": "55.0.0", "files": {"abc": {"source": {"path": "code.zip", "packaging": "file"},
                   "destinations": {"d": {"bucketName": "b", "objectKey": "abc.zip"}}}}}, f)
    role = ("  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Version: '2012-10-17', "
            "Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n")
    with open(os.path.join(asm, "t.yaml"), "w") as f:
        f.write("Resources:\n" + role +
                "  Zipped:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt R.Arn\n"
                "      Runtime: python3.12\n      Handler: app.handler\n      MemorySize: 256\n"
                "      Code: {S3Bucket: b, S3Key: abc.zip}\n"
                "  Inline:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt R.Arn\n"
                "      FunctionName: inline-fn\n      Runtime: nodejs20.x\n      Handler: index.handler\n"
                "      Code: {ZipFile: 'exports.handler = async () => 7;'}\n"
                "  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !GetAtt Inline.Arn\n"
                "      Action: lambda:InvokeFunction\n      Principal: sns.amazonaws.com\n"
                "Outputs:\n  Zipped: {Value: !Ref Zipped}\n")
    doc = json.loads(c.lc("--json", "deploy", "--template", os.path.join(asm, "t.yaml"), "--stack-name", "Code",
                          check=0).stdout)
    zname = doc[0]["Outputs"]["Zipped"]
    expect(zname.startswith("Code-Zipped-"), zname)
    rows = dict((r[0], r[1:]) for r in c.db("SELECT name, code_dir, memory_mb, code_sha256 FROM lambda_functions"))
    zdir, mem, sha = rows[zname]
    expect(open(os.path.join(zdir, "lib", "util.py")).read() == "X = 1\n" and mem == 256 and len(sha) == 44, rows)
    expect(open(os.path.join(rows["inline-fn"][0], "index.js")).read() == "exports.handler = async () => 7;", rows)
    pol = c.db("SELECT statement FROM lambda_permissions WHERE function_name='inline-fn'")
    expect(len(pol) == 1 and '"Service":"sns.amazonaws.com"' in pol[0][0], pol)
    c.lc("destroy", "Code", "--force", check=0)
    expect(c.db("SELECT COUNT(*) FROM lambda_functions")[0][0] == 0, "functions gone")
    expect(not os.path.exists(zdir), "their code is gone")
    # An S3 key that no assembly holds fails as S3 would, and the stack rolls back.
    with open(os.path.join(asm, "t2.yaml"), "w") as f:
        f.write("Resources:\n" + role + "  F:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                "      Role: !GetAtt R.Arn\n      Runtime: python3.12\n      Handler: a.b\n"
                "      Code: {S3Bucket: b, S3Key: nope.zip}\n")
    p = c.lc("deploy", "--template", os.path.join(asm, "t2.yaml"), "--stack-name", "NoCode", check=1)
    expect("S3 Error Code: NoSuchKey" in p.stderr and "ROLLBACK_COMPLETE" in p.stdout, p.stdout + p.stderr)


def usage_errors_exit_2(c):
    c.lc("deploy", "--template", SEED, check=2)
    c.lc("deploy", "--bogus", check=2)
    c.lc("outputs", check=2)
    c.lc("diff", "--nope", check=2)
    c.lc("deploy", cwd=c.dir, check=2)  # no cdk.json, no --app, no --template


def main():
    name = sys.argv[1]
    fn = globals()[name]
    c = Case()
    try:
        fn(c)
    finally:
        c.close()
    print(f"ok {name}")


if __name__ == "__main__":
    main()
