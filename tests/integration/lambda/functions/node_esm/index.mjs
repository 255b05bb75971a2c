// An ES-module handler (index.mjs), as the Lambda console writes them for Node 18+, importing the
// SDK v3 the runtime provides.
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";

const client = new DynamoDBClient({});

export const handler = async () => {
  const result = await client.send(new ScanCommand({ TableName: process.env.DYNAMO_TABLE_NAME }));
  return { esm: true, count: result.Count };
};
