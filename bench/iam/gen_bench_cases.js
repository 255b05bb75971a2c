#!/usr/bin/env node
// gen_bench_cases.js: the benchmark's case files (JSON lines, the `iam simulate --batch` format).
//   read.jsonl   the CDK grant_read_data policy of the seed stack, against its 8 read actions and
//                6 write actions on the table (the read-table-user's real traffic)
//   wide.jsonl   a 20-statement policy (wildcards, NotAction, conditions, variables)
//   random.jsonl 2,000 cases from the differential test's generator (seed 42)
'use strict';
const fs = require('fs');
const path = require('path');
const { mulberry32, makeCase } = require('../../tests/integration/iam/gen_cases.js');
const out = process.argv[2] || '.';
const A = '000000000000';
const TABLE = `arn:aws:dynamodb:us-east-1:${A}:table/dynamoTable`;
const USER = `arn:aws:iam::${A}:user/read-table-user`;
const reads = ['dynamodb:BatchGetItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:Query',
               'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem',
                'dynamodb:DeleteTable', 'dynamodb:CreateTable'];
const readPolicy = { Version: '2012-10-17', Statement: [{ Action: reads, Effect: 'Allow', Resource: [TABLE] }] };
const ctx = { 'aws:username': 'read-table-user', 'aws:SourceIp': '127.0.0.1', 'aws:SecureTransport': 'false',
              'aws:CurrentTime': '2026-11-29T05:00:00Z', 'aws:EpochTime': '1795928400' };
const mk = (policies, action) => ({ identityPolicies: [{ name: 'read-table-user/ReadPolicy', policy: policies }], resourcePolicy: null,
  permissionBoundaries: null, request: { principal: USER, action, resource: TABLE, resourceAccount: A, context: ctx } });
fs.writeFileSync(path.join(out, 'read.jsonl'), [...reads, ...writes].map((a) => JSON.stringify(mk(readPolicy, a))).join('\n') + '\n');

const svc = ['sqs', 'sns', 'lambda', 's3', 'logs', 'kms', 'ec2', 'cloudwatch'];
const wide = [];
for (let i = 0; i < 20; i++) {
  const st = { Sid: `S${i}`, Effect: i % 7 === 6 ? 'Deny' : 'Allow' };
  if (i % 9 === 4) st.NotAction = [`${svc[i % svc.length]}:*`, 'iam:*'];
  else st.Action = [`${svc[i % svc.length]}:Get*`, `${svc[(i + 1) % svc.length]}:List*`, i % 5 === 0 ? 'dynamodb:Describe*' : 'dynamodb:Query'];
  st.Resource = i % 3 === 0 ? '*' : [`arn:aws:${svc[i % svc.length]}:*:${A}:*`, `arn:aws:dynamodb:us-east-1:${A}:table/\${aws:username}-*`];
  if (i % 4 === 1) st.Condition = { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.0/8'] }, Bool: { 'aws:SecureTransport': 'false' } };
  if (i % 4 === 3) st.Condition = { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' }, StringLike: { 'aws:username': 'read-*' } };
  wide.push(st);
}
const widePolicy = { Version: '2012-10-17', Statement: wide };
fs.writeFileSync(path.join(out, 'wide.jsonl'), [...reads, ...writes].map((a) => JSON.stringify(mk(widePolicy, a))).join('\n') + '\n');

const rng = mulberry32(42);
const rand = [];
for (let i = 0; i < 2000; i++) rand.push(JSON.stringify(makeCase(rng)));
fs.writeFileSync(path.join(out, 'random.jsonl'), rand.join('\n') + '\n');
