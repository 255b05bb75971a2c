// Real AWS CDK app that produced the expected templates in this folder for the features the
// shared references do not show. Regenerate with ./regen.sh (needs /work/main/node_modules).
const cdk = require("aws-cdk-lib");
const dynamo = require("aws-cdk-lib/aws-dynamodb");
const lambda = require("aws-cdk-lib/aws-lambda");
const iam = require("aws-cdk-lib/aws-iam");

const app = new cdk.App();

// Provisioned billing, sort key, GSI + LSI, TTL, PITR, stream, DESTROY, generated names, inline code.
{
  const s = new cdk.Stack(app, "ProvisionedStack");
  const t = new dynamo.Table(s, "events", {
    partitionKey: { name: "pk", type: dynamo.AttributeType.STRING },
    sortKey: { name: "sk", type: dynamo.AttributeType.NUMBER },
    billingMode: dynamo.BillingMode.PROVISIONED,
    readCapacity: 5,
    writeCapacity: 3,
    timeToLiveAttribute: "expires",
    pointInTimeRecovery: true,
    stream: dynamo.StreamViewType.NEW_IMAGE,
    removalPolicy: cdk.RemovalPolicy.DESTROY,
  });
  t.addGlobalSecondaryIndex({
    indexName: "byOwner",
    partitionKey: { name: "owner", type: dynamo.AttributeType.STRING },
    sortKey: { name: "created", type: dynamo.AttributeType.NUMBER },
    projectionType: dynamo.ProjectionType.KEYS_ONLY,
    readCapacity: 2,
    writeCapacity: 1,
  });
  t.addLocalSecondaryIndex({
    indexName: "byScore",
    sortKey: { name: "score", type: dynamo.AttributeType.NUMBER },
    projectionType: dynamo.ProjectionType.INCLUDE,
    nonKeyAttributes: ["title", "body"],
  });
  const fn = new lambda.Function(s, "worker", {
    code: lambda.Code.fromInline("exports.handler = async () => 42;"),
    handler: "index.handler",
    runtime: lambda.Runtime.NODEJS_20_X,
    memorySize: 256,
    timeout: cdk.Duration.minutes(15),
    environment: { TABLE: t.tableName, TABLE_ARN: t.tableArn, MODE: "prod" },
  });
  t.grantReadWriteData(fn);
  t.grantStreamRead(fn);
  const u = new iam.User(s, "auditor");
  t.grantReadData(u);
  t.grantWriteData(u);
  new cdk.CfnOutput(s, "tableName", { value: t.tableName });
  new cdk.CfnOutput(s, "streamArn", { value: t.tableStreamArn, description: "the stream", exportName: "EventsStream" });
}

// Customer-managed KMS key, AWS-managed encryption, explicit role, full access, custom grant, invoke.
{
  const s = new cdk.Stack(app, "KmsStack");
  const t = new dynamo.Table(s, "secrets", {
    tableName: "secrets",
    partitionKey: { name: "id", type: dynamo.AttributeType.STRING },
    billingMode: dynamo.BillingMode.PAY_PER_REQUEST,
    encryption: dynamo.TableEncryption.CUSTOMER_MANAGED,
    stream: dynamo.StreamViewType.KEYS_ONLY,
  });
  const aws = new dynamo.Table(s, "audit", {
    tableName: "audit",
    partitionKey: { name: "id", type: dynamo.AttributeType.STRING },
    billingMode: dynamo.BillingMode.PAY_PER_REQUEST,
    encryption: dynamo.TableEncryption.AWS_MANAGED,
  });
  const role = new iam.Role(s, "fnRole", {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    roleName: "secrets-reader",
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSLambdaBasicExecutionRole")],
  });
  const fn = new lambda.Function(s, "reader", {
    code: new lambda.AssetCode("functionLocation"),
    functionName: "reader",
    handler: "index.handler",
    runtime: lambda.Runtime.PYTHON_3_12,
    role: role,
    environment: { TABLE: t.tableName },
  });
  t.grantReadData(fn);
  t.grantStreamRead(fn);
  aws.grantReadWriteData(fn);
  const user = new iam.User(s, "admin", { userName: "secrets-admin" });
  t.grantWriteData(user);
  t.grantFullAccess(user);
  t.grant(user, "dynamodb:DescribeTimeToLive");
  fn.grantInvoke(user);
  const ops = new iam.Role(s, "ops", {
    assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("ReadOnlyAccess")],
  });
  t.grantReadWriteData(ops);
}

// Role, User, Policy, CfnAccessKey, raw Cfn resources and outputs.
{
  const s = new cdk.Stack(app, "IamStack");
  const role = new iam.Role(s, "deployer", {
    assumedBy: new iam.ServicePrincipal("cloudformation.amazonaws.com"),
  });
  const user = new iam.User(s, "ci", { userName: "ci-bot" });
  const key = new iam.CfnAccessKey(s, "ciKey", { userName: user.userName });
  const pol = new iam.Policy(s, "extra", {
    policyName: "extra-permissions",
    statements: [new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:000000000000:q"] })],
  });
  pol.attachToUser(user);
  pol.attachToRole(role);
  const topic = new cdk.CfnResource(s, "topic", {
    type: "AWS::SNS::Topic",
    properties: { TopicName: "alerts", DisplayName: "Alerts" },
  });
  new cdk.CfnOutput(s, "keyId", { value: key.ref });
  new cdk.CfnOutput(s, "topicArn", { value: topic.ref });
  new cdk.CfnOutput(s, "roleArn", { value: role.roleArn });
}
