#!/usr/bin/env python3
"""gen_corpus.py: writes the hand-made seeds of tests/fuzz/template/corpus (run from anywhere).

The real templates (the CDK reference apps, the seed example, the CDK unit test expectations) are
copied beside them. Files named by a SHA-1 were merged in from fuzzing runs with
`-merge=1 -set_cover_merge=1 -use_counters=0` (new edges only, to keep the corpus under 150 files).
"""
import glob
import hashlib
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(HERE, "corpus")
os.makedirs(OUT, exist_ok=True)


def put(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    assert len(data) < 64 * 1024, name
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


seen = set()
for pattern in ("tests/data/cdk-reference/*/*/*.template.json", "examples/*/cdk.out/*.template.json",
                "tests/unit/cdk/expected/*.template.json"):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
        data = open(path, "rb").read()
        digest = hashlib.sha1(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        rel = os.path.relpath(path, ROOT).replace("/", "_").replace("tests_data_cdk-reference_", "cdk_")
        put("real_" + rel, data)

TABLE = {"Type": "AWS::DynamoDB::Table",
         "Properties": {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST"}}

put("yaml_short_forms.yaml", """AWSTemplateFormatVersion: '2010-09-09'
Description: short forms
Parameters:
  Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
  Subnets: {Type: CommaDelimitedList, Default: 'a, b,c'}
  Size: {Type: Number, Default: 5, MinValue: 1, MaxValue: 10}
  Name: {Type: String, Default: abc, AllowedPattern: '[a-z]+', MinLength: 1, MaxLength: 8}
  Boot: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /cdk-bootstrap/hnb659fds/version}
Mappings:
  Sizes: {prod: {Memory: 1024}, dev: {Memory: 128}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsUsEast: !Equals [!Ref 'AWS::Region', us-east-1]
  Both: !And [!Condition IsProd, !Condition IsUsEast]
  NotProd: !Not [!Condition IsProd]
  Either: !Or [!Condition NotProd, !Equals [!Select [0, !Ref Subnets], a]]
Rules:
  CheckBootstrapVersion:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Not [!Contains [['1', '2', '3'], !Ref Boot]]
        AssertDescription: old bootstrap
      - Assert: !EachMemberIn [!Ref Subnets, [a, b, c]]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Condition: Both
    Properties:
      TopicName: !Sub '${AWS::StackName}-${Env}-topic'
      DisplayName: !Join ['-', [!Ref 'AWS::Region', !GetAtt Table.Arn, !Select [1, !GetAZs '']]]
  Table:
    Type: AWS::DynamoDB::Table
    DependsOn: [Key]
    Properties:
      TableName: !If [IsProd, !Sub ['${A}-${B}', {A: !Ref Env, B: !FindInMap [Sizes, !Ref Env, Memory]}], !Ref 'AWS::NoValue']
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    Properties:
      Description: !Base64 !Join [',', !Split [':', 'a:b:c']]
      KeyPolicy: {Version: '2012-10-17', Statement: []}
Outputs:
  TableArn:
    Value: !GetAtt [Table, Arn]
    Export: {Name: !Sub '${AWS::StackName}-TableArn'}
  Cidrs:
    Value: !Join [',', !Cidr ['10.0.0.0/16', 4, 8]]
  Json:
    Value: !ToJsonString {a: !Ref Env, b: [1, 2, !Length [a, b]]}
  Imported:
    Condition: IsProd
    Value: !ImportValue shared-vpc
  Partition:
    Value: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root ${AWS::URLSuffix} ${AWS::StackId} ${!Literal}'
""")

put("yaml_anchors.yaml", """Resources:
  A: &table
    Type: AWS::DynamoDB::Table
    Properties: &props
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
  B: *table
  C:
    Type: AWS::DynamoDB::Table
    Properties: *props
""")

put("yaml_alias_bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\n" +
    "".join("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n" % ((chr(98 + i), chr(98 + i)) + (chr(97 + i),) * 9)
            for i in range(10)) + "Resources: {T: {Type: AWS::SNS::Topic, Properties: {DisplayName: *k}}}\n")
put("yaml_recursive_alias.yaml", "Resources: &r\n  T: {Type: AWS::SNS::Topic, Properties: {Tags: [*r, *r]}}\n")
put("yaml_tags.yaml", "Resources:\n  T:\n    Type: !!str AWS::SNS::Topic\n    Properties:\n"
    "      TopicName: !GetAtt NoDot\n      DisplayName: !Unknown [1, 2]\n      X: !%FF x\n      Y: !<!Ref> T\n"
    "      Z: ! plain\n      W: !!binary aGVsbG8=\n")
put("yaml_bad_utf8.yaml", b"Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: \"\xff\xfe\xc3\x28\"}\n")
put("yaml_multi_doc.yaml", "Resources: {A: {Type: AWS::SNS::Topic}}\n---\nResources: {B: 1}\n...\n")
put("yaml_complex_key.yaml", "? [a, b]\n: c\nResources: {A: {Type: AWS::SNS::Topic}}\n")
put("yaml_deep.yaml", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: " + "[" * 300 + "]" * 300 + "\n")
put("yaml_bom_scalars.yaml", "\xef\xbb\xbfA: 0x10\nB: -0\nC: 1e5\nD: .5\nE: +12345678901234567890\nF: 1.5e\nG: NULL\nResources: {A: {Type: AWS::SNS::Topic}}\n")

put("json_deep_nesting.json", '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"X": ' +
    "[" * 3000 + "]" * 3000 + "}}}}")
put("json_deep_fn.json", json.dumps({"Resources": {"A": {"Type": "AWS::SNS::Topic"}},
                                     "Outputs": {"O": {"Value": json.loads('{"Fn::Base64": ' * 200 + '"x"' + '}' * 200)}}}))
put("json_base64_growth.json", json.dumps({"Resources": {"A": {"Type": "AWS::SNS::Topic"}},
                                          "Outputs": {"O": {"Value": json.loads('{"Fn::Base64": ' * 100 + '"xyz"' + '}' * 100)}}}))
put("json_tojson_growth.json", json.dumps({"Resources": {"A": {"Type": "AWS::SNS::Topic"}},
                                           "Outputs": {"O": {"Value": json.loads('{"Fn::ToJsonString": [' * 60 + '"\\""' + ']}' * 60)}}}))
sub = "x"
for i in range(12):
    sub = {"Fn::Sub": ["${v}" * 12, {"v": sub}]}
put("json_sub_bomb.json", json.dumps({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"O": {"Value": sub}}}))
put("json_condition_cycle.json", json.dumps({
    "Conditions": {"A": {"Fn::Not": [{"Condition": "B"}]}, "B": {"Fn::And": [{"Condition": "A"}, {"Condition": "A"}]},
                   "C": {"Condition": "C"}, "D": {"Fn::If": ["D", True, False]}},
    "Resources": {"T": {"Type": "AWS::SNS::Topic", "Condition": "A"}},
    "Outputs": {"O": {"Value": {"Fn::If": ["D", "a", "b"]}}}}))
chain = {"C%d" % i: {"Condition": "C%d" % (i + 1)} for i in range(400)}
chain["C400"] = {"Fn::Equals": ["a", "a"]}
put("json_condition_chain.json", json.dumps({"Conditions": chain, "Resources": {"T": {"Type": "AWS::SNS::Topic", "Condition": "C0"}}}))
put("json_depends_cycle.json", json.dumps({"Resources": {
    "A": {"Type": "AWS::SNS::Topic", "DependsOn": "B"},
    "B": {"Type": "AWS::SNS::Topic", "DependsOn": ["C", "A", 5]},
    "C": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${A.TopicName}"}}},
    "D": {"Type": "AWS::SNS::Topic", "DependsOn": "D"}}}))
put("json_ref_chain.json", json.dumps({"Resources": {"R%d" % i: {"Type": "AWS::SNS::Topic", "Properties":
                                                                  {"TopicName": {"Ref": "R%d" % (i + 1)}}}
                                                     for i in range(150)} | {"R150": {"Type": "AWS::SNS::Topic"}}}))
put("json_many_problems.json", json.dumps({"Resources": {"R%d" % i: {"Type": "AWS::Nope::%d" % i, "Bad": 1,
                                                                      "DependsOn": "X%d" % i}
                                                         for i in range(150)}}))
put("json_many_refs.json", json.dumps({"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {
    "Tags": [{"Ref": "R%d" % i} for i in range(400)]}}} | {"R%d" % i: {"Type": "AWS::SNS::Topic"} for i in range(60)}}))
put("json_every_function.json", json.dumps({
    "Parameters": {"P": {"Type": "String"}, "L": {"Type": "List<String>", "Default": "a,b"},
                   "N": {"Type": "Number", "Default": "x"}, "Q": {"Type": "String", "Default": "zz",
                                                                 "AllowedPattern": "(a|aa)*b", "ConstraintDescription": "d"},
                   "Bad": 5, "NoType": {}},
    "Mappings": {"M": {"k": {"v": ["x", "y"]}}},
    "Conditions": {"T": {"Fn::Equals": [{"Ref": "P"}, {"Ref": "P"}]}},
    "Resources": {"A": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}, "Arn": "ro"}},
                  "B": {"Type": "AWS::Lambda::Function", "Condition": "Missing", "DeletionPolicy": "Keep"},
                  "C": 5, "D": {"Type": 5}, "E": {"Type": "AWS::SNS::Topic", "Properties": [1]}},
    "Outputs": {
        "Select": {"Value": {"Fn::Select": ["1", {"Fn::Split": [",", {"Fn::Join": [",", {"Ref": "L"}]}]}]}},
        "SelectBad": {"Value": {"Fn::Select": ["-1", []]}},
        "Find": {"Value": {"Fn::FindInMap": ["M", "k", "x", {"DefaultValue": {"Fn::GetAZs": "eu-west-1"}}]}},
        "Cidr": {"Value": {"Fn::Cidr": ["0.0.0.0/0", "256", "24"]}},
        "CidrBad": {"Value": {"Fn::Cidr": ["300.0.0.0/8", 1, 40]}},
        "GetAtt": {"Value": {"Fn::GetAtt": ["A", {"Ref": "P"}]}},
        "GetAttList": {"Value": {"Fn::Join": ["", {"Fn::GetAtt": ["A", "List"]}]}},
        "Missing": {"Value": {"Fn::GetAtt": ["A", "Missing"]}},
        "Import": {"Value": {"Fn::ImportValue": "missing"}},
        "Len": {"Value": {"Fn::Length": {"Fn::Cidr": ["10.0.0.0/8", 3, 2]}}},
        "If": {"Value": {"Fn::If": ["T", {"Ref": "AWS::NoValue"}, {"Ref": "AWS::NotificationARNs"}]}},
        "Unknown": {"Value": {"Fn::Nope": 1}},
        "Contains": {"Value": {"Fn::Contains": [["a"], "a"]}},
        "NoValue": {"Description": "x"},
        "Sub": {"Value": {"Fn::Sub": ["${ x }${A.Arn}${AWS::Nope}${!x}${", {"x": {"Ref": "AWS::StackName"}}]}}}}))
put("json_dup_keys.json", '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}, "A": {"Type": "AWS::SNS::Topic"}}}')
put("json_bad_utf8.json", b'{"Resources": {"\xff": {"Type": "AWS::SNS::Topic"}}}')
put("json_nul.json", b'{"Resources": {"A\\u0000B": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "a\\u0000b"}}}}\x00')
put("json_not_object.json", "[1, 2, 3]")
put("json_huge_numbers.json", '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"O": {"Value": '
    '{"Fn::Select": [1e300, [1]]}}, "P": {"Value": {"Fn::Select": [9223372036854775807, [1]]}}, '
    '"Q": {"Value": {"Fn::Join": ["", [1e300, -0.0, 1.5, true, 12345678901234567890]]}}}}')
put("empty.yaml", "")
put("just_bom.yaml", "\xef\xbb\xbf   \n\t")
print(len(os.listdir(OUT)), "files in", OUT)
