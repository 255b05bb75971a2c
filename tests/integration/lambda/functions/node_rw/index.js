// The seed's handler plus a write: reads the table (allowed by the role's CDK read grant) and, when the
// event asks for it, writes to it (not allowed: AWS's AccessDeniedException reaches the caller).
const { DynamoDBClient, ScanCommand, PutItemCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

exports.handler = async function (event) {
  const tableName = process.env.DYNAMO_TABLE_NAME;
  console.log("scanning", tableName, "pid", process.pid);
  const result = await client.send(new ScanCommand({ TableName: tableName }));
  if (event && event.write) {
    await client.send(new PutItemCommand({ TableName: tableName, Item: { timestamp: { N: String(Date.now()) } } }));
  }
  return {
    statusCode: 200,
    pid: process.pid,
    body: JSON.stringify(result.Items || []),
  };
};
