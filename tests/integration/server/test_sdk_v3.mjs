// @aws-sdk/client-dynamodb v3 (Node) against `leastcloud serve`: every operation, the CDK reader's
// denials and an unknown key, with AWS's codes and messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, ListTablesCommand, DeleteTableCommand,
  PutItemCommand, GetItemCommand, DeleteItemCommand, QueryCommand, ScanCommand, BatchGetItemCommand,
  BatchWriteItemCommand, paginateScan,
} from '@aws-sdk/client-dynamodb';

const build = process.env.LC_BUILD_DIR || join(process.cwd(), 'build');
const source = process.env.LC_SOURCE_DIR || process.cwd();
let server, state, endpoint, root, reader;

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const client = (creds) => new DynamoDBClient({
  endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey },
});

before(async () => {
  state = mkdtempSync(join(tmpdir(), 'lc_sdk_v3_'));
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  server = spawn(join(build, 'leastcloud'), ['--state', state, 'serve', '--port', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(endpoint + '/'); if (r.ok) break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  const ini = readFileSync(join(state, 'credentials'), 'utf8');
  root = {
    AccessKeyId: /aws_access_key_id = (\S+)/.exec(ini)[1],
    SecretAccessKey: /aws_secret_access_key = (\S+)/.exec(ini)[1],
  };
  const tpl = JSON.parse(readFileSync(join(source, 'tests/data/cdk-reference/seed/default/SampleCDKStack.template.json'), 'utf8'));
  const doc = JSON.parse(JSON.stringify(tpl.Resources.readTableUserDefaultPolicyFD186BB0.Properties.PolicyDocument)
    .replaceAll('{"Fn::GetAtt":["dynamoTableA1BCE036","Arn"]}', '"arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable"'));
  writeFileSync(join(state, 'read.json'), JSON.stringify(doc));
  reader = JSON.parse(execFileSync(join(build, 'tests', 'lc_test_principal'),
    [state, 'user', 'read-table-user', join(state, 'read.json')], { encoding: 'utf8' }));
});

after(async () => {
  if (server) {
    const exited = new Promise((r) => server.on('exit', r));
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
  rmSync(state, { recursive: true, force: true });
});

test('every operation of the issue through SDK v3', async () => {
  const c = client(root);
  await c.send(new CreateTableCommand({
    TableName: 'dynamoTable', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'timestamp', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'timestamp', KeyType: 'HASH' }],
  }));
  const d = await c.send(new DescribeTableCommand({ TableName: 'dynamoTable' }));
  assert.equal(d.Table.TableStatus, 'ACTIVE');
  assert.deepEqual((await c.send(new ListTablesCommand({}))).TableNames, ['dynamoTable']);
  for (let i = 1; i <= 12; i++) {
    await c.send(new PutItemCommand({ TableName: 'dynamoTable', Item: { timestamp: { N: String(i) }, m: { S: `m${i}` } } }));
  }
  const g = await c.send(new GetItemCommand({ TableName: 'dynamoTable', Key: { timestamp: { N: '3' } }, ConsistentRead: true }));
  assert.deepEqual(g.Item.m, { S: 'm3' });
  const q = await c.send(new QueryCommand({
    TableName: 'dynamoTable', KeyConditionExpression: '#t = :t',
    ExpressionAttributeNames: { '#t': 'timestamp' }, ExpressionAttributeValues: { ':t': { N: '4' } },
  }));
  assert.equal(q.Count, 1);
  let n = 0;
  for await (const page of paginateScan({ client: c, pageSize: 5 }, { TableName: 'dynamoTable' })) n += page.Count;
  assert.equal(n, 12);
  await c.send(new BatchWriteItemCommand({ RequestItems: { dynamoTable: [{ DeleteRequest: { Key: { timestamp: { N: '12' } } } }] } }));
  const bg = await c.send(new BatchGetItemCommand({ RequestItems: { dynamoTable: { Keys: [{ timestamp: { N: '1' } }, { timestamp: { N: '12' } }] } } }));
  assert.equal(bg.Responses.dynamoTable.length, 1);
  const del = await c.send(new DeleteItemCommand({ TableName: 'dynamoTable', Key: { timestamp: { N: '11' } }, ReturnValues: 'ALL_OLD' }));
  assert.deepEqual(del.Attributes.m, { S: 'm11' });
  const s = await c.send(new ScanCommand({ TableName: 'dynamoTable', Limit: 100 }));
  assert.equal(s.Count, 10);
});

test('the CDK reader reads and is denied writes with AWS message', async () => {
  const c = client(reader);
  assert.equal((await c.send(new ScanCommand({ TableName: 'dynamoTable' }))).Count, 10);
  const arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable';
  for (const [action, cmd] of [
    ['PutItem', new PutItemCommand({ TableName: 'dynamoTable', Item: { timestamp: { N: '99' } } })],
    ['DeleteItem', new DeleteItemCommand({ TableName: 'dynamoTable', Key: { timestamp: { N: '1' } } })],
    ['DeleteTable', new DeleteTableCommand({ TableName: 'dynamoTable' })],
  ]) {
    await assert.rejects(c.send(cmd), (e) => {
      assert.equal(e.name, 'AccessDeniedException');
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.equal(e.message, `User: arn:aws:iam::000000000000:user/read-table-user is not authorized to perform: dynamodb:${action} on resource: ${arn} because no identity-based policy allows the dynamodb:${action} action`);
      return true;
    });
  }
});

test('an unknown key is UnrecognizedClientException', async () => {
  const c = client({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', SecretAccessKey: 'x'.repeat(40) });
  await assert.rejects(c.send(new ListTablesCommand({})), (e) => {
    assert.equal(e.name, 'UnrecognizedClientException');
    assert.equal(e.message, 'The security token included in the request is invalid.');
    return true;
  });
});
