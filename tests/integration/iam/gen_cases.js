// gen_cases.js: random policy/request pairs for the differential test, reproducible by seed.
// Exports makeCase(rng) and mulberry32(seed). No dependency on the oracle.
'use strict';

function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCT = '111122223333';
const OTHER = '444455556666';
const REGION = 'us-east-1';

const pick = (rng, a) => a[Math.floor(rng() * a.length)];
const chance = (rng, p) => rng() < p;
const some = (rng, a, min, max) => {
  const n = min + Math.floor(rng() * (max - min + 1));
  const out = [];
  for (let i = 0; i < n; i++) out.push(pick(rng, a));
  return [...new Set(out)];
};
const randCase = (rng, s) => (chance(rng, 0.2) ? s.split('').map((c) => (chance(rng, 0.5) ? c.toUpperCase() : c.toLowerCase())).join('') : s);

const TABLES = ['orders', 'users', 'dynamoTable', 'alice'];
// action -> function(rng, account) giving a resource of the right type
const tableArn = (rng, acct) => `arn:aws:dynamodb:${REGION}:${acct}:table/${pick(rng, TABLES)}`;
const indexArn = (rng, acct) => `${tableArn(rng, acct)}/index/${pick(rng, ['byDate', 'gsi1'])}`;
const streamArn = (rng, acct) => `${tableArn(rng, acct)}/stream/2024-01-01T00:00:00.000`;
const fnArn = (rng, acct) => `arn:aws:lambda:${REGION}:${acct}:function:${pick(rng, ['read-function', 'writer'])}`;
const queueArn = (rng, acct) => `arn:aws:sqs:${REGION}:${acct}:${pick(rng, ['jobs', 'dlq'])}`;
const ACTIONS = {
  'dynamodb:GetItem': tableArn, 'dynamodb:PutItem': tableArn, 'dynamodb:UpdateItem': tableArn,
  'dynamodb:DeleteItem': tableArn, 'dynamodb:BatchGetItem': tableArn, 'dynamodb:BatchWriteItem': tableArn,
  'dynamodb:Query': (rng, a) => (chance(rng, 0.5) ? tableArn(rng, a) : indexArn(rng, a)),
  'dynamodb:Scan': tableArn, 'dynamodb:DescribeTable': tableArn, 'dynamodb:DeleteTable': tableArn,
  'dynamodb:ConditionCheckItem': tableArn, 'dynamodb:GetRecords': streamArn,
  'dynamodb:GetShardIterator': streamArn, 'dynamodb:ListTables': () => '*',
  'lambda:InvokeFunction': fnArn, 'lambda:GetFunction': fnArn,
  'sqs:SendMessage': queueArn, 'sqs:ReceiveMessage': queueArn,
};
const ACTION_NAMES = Object.keys(ACTIONS);
const WILDCARD_ONLY = new Set(['dynamodb:ListTables']);

const ACTION_PATTERNS = [
  ...ACTION_NAMES, 'dynamodb:*', 'dynamodb:Get*', 'dynamodb:*Item', 'dynamodb:?etItem', 'dynamodb:Batch*',
  'dynamodb:Describe*', 'dynamodb:List*', 'lambda:*', 'lambda:Invoke*', 'sqs:*', 'sqs:Send*', '*',
  'dynamodb:Put?tem', 'dynamodb:*Records', 'dynamodb:G*t*',
];

function resourcePatterns(rng, acct) {
  return [
    '*', tableArn(rng, acct), tableArn(rng, acct), indexArn(rng, acct), streamArn(rng, acct),
    `arn:aws:dynamodb:${REGION}:${acct}:table/*`, 'arn:aws:dynamodb:*:*:table/*',
    `arn:aws:dynamodb:*:${acct}:table/ord*`, `arn:aws:dynamodb:${REGION}:*:table/users/index/*`,
    `arn:aws:dynamodb:${REGION}:${acct}:table/\${aws:username}`,
    `arn:aws:dynamodb:${REGION}:${acct}:table/\${aws:username}/*`,
    `arn:aws:dynamodb:${REGION}:${acct}:table/\${aws:PrincipalTag/team, 'orders'}`,
    `arn:aws:dynamodb:${REGION}:${acct}:table/dynamo?able`, 'arn:aws:dynamodb:*:*:*',
    `arn:aws:dynamodb:US-EAST-1:${acct}:table/orders`, `arn:aws:dynamodb:${REGION}:${acct}:table/Orders`,
    `arn:aws:dynamodb:${REGION}:${acct}:table/*/stream/*`, `arn:aws:lambda:${REGION}:${acct}:function:*`,
    fnArn(rng, acct), queueArn(rng, acct), `arn:aws:sqs:*:${acct}:*`, 'arn:aws:*:*:*:*',
    `arn:aws:dynamodb:${REGION}:${acct}:table/\${*}`,
  ];
}

// Condition generators: [operator, key, values]
function condition(rng, ctxUser) {
  const gens = [
    () => [pick(rng, ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase']),
           'aws:username', some(rng, ['alice', 'bob', 'ALICE', '${aws:PrincipalTag/team}'], 1, 2)],
    () => [pick(rng, ['StringLike', 'StringNotLike']), pick(rng, ['aws:username', 'aws:PrincipalArn']),
           some(rng, ['al*', '*', 'b?b', 'arn:aws:iam::*:user/*', 'arn:aws:sts::*', '${aws:username}', 'x${*}'], 1, 2)],
    () => [pick(rng, ['IpAddress', 'NotIpAddress']), 'aws:SourceIp',
           some(rng, ['10.0.0.0/8', '192.168.1.0/24', '203.0.113.7/32', '2001:db8::/32', '0.0.0.0/0', '10.1.2.3'], 1, 2)],
    () => [pick(rng, ['Bool']), 'aws:SecureTransport', [pick(rng, ['true', 'false'])]],
    () => [pick(rng, ['DateGreaterThan', 'DateLessThan', 'DateGreaterThanEquals', 'DateLessThanEquals', 'DateEquals', 'DateNotEquals']),
           'aws:CurrentTime', [pick(rng, ['2024-01-01T00:00:00Z', '2025-06-15T12:00:00Z', '2030-01-01T00:00:00Z'])]],
    () => [pick(rng, ['NumericLessThan', 'NumericGreaterThanEquals', 'NumericEquals', 'NumericNotEquals', 'NumericLessThanEquals', 'NumericGreaterThan']),
           'aws:EpochTime', [pick(rng, ['1700000000', '1750000000', '1800000000'])]],
    () => [pick(rng, ['StringEquals', 'StringNotEquals']), 'aws:RequestedRegion', some(rng, ['us-east-1', 'eu-west-1'], 1, 2)],
    () => [pick(rng, ['ForAllValues:StringEquals', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike', 'ForAnyValue:StringLike', 'ForAnyValue:StringNotEquals', 'ForAllValues:StringNotLike']),
           'dynamodb:LeadingKeys', some(rng, ['${aws:username}', 'alice', 'bob', 'a*', 'u-1'], 1, 3)],
    () => [pick(rng, ['ForAllValues:StringEquals', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike']),
           'dynamodb:Attributes', some(rng, ['id', 'name', 'email', 'secret', 'n*'], 1, 3)],
    () => [pick(rng, ['StringEquals', 'StringNotEquals', 'StringEqualsIfExists', 'StringNotEqualsIfExists']),
           'dynamodb:Select', some(rng, ['SPECIFIC_ATTRIBUTES', 'ALL_ATTRIBUTES', 'COUNT'], 1, 2)],
    () => [pick(rng, ['StringEquals', 'StringEqualsIfExists']), 'dynamodb:ReturnValues', some(rng, ['NONE', 'ALL_OLD', 'UPDATED_NEW'], 1, 2)],
    () => ['Null', pick(rng, ['aws:username', 'dynamodb:LeadingKeys', 'aws:SourceIp', 'aws:PrincipalTag/team']), [pick(rng, ['true', 'false'])]],
    () => [pick(rng, ['StringEquals', 'StringNotEquals', 'StringLike']), 'aws:PrincipalTag/team', some(rng, ['orders', 'ops', 'o*'], 1, 2)],
    () => [pick(rng, ['ArnLike', 'ArnNotLike', 'ArnEquals', 'ArnNotEquals']), 'aws:PrincipalArn',
           some(rng, [`arn:aws:iam::${ACCT}:user/*`, `arn:aws:iam::${ACCT}:user/alice`, 'arn:aws:sts::*:assumed-role/Reader/*', 'arn:aws:iam::*:*'], 1, 2)],
    () => [pick(rng, ['DateGreaterThan', 'DateLessThanEquals']), 'aws:EpochTime', [pick(rng, ['1700000000', '1760000000'])]],
    () => [pick(rng, ['ForAnyValue:StringEqualsIfExists', 'ForAllValues:StringLikeIfExists', 'ForAnyValue:StringNotLike']),
           'dynamodb:Attributes', some(rng, ['id', 'na?e', '*'], 1, 2)],
    () => [pick(rng, ['StringLike', 'StringEquals']), 'aws:username', some(rng, ['${aws:username}', 'a${?}ice', '${aws:PrincipalTag/team, \'alice\'}'], 1, 2)],
    () => [pick(rng, ['StringEqualsIfExists', 'StringNotLikeIfExists', 'NumericLessThanIfExists', 'BoolIfExists', 'IpAddressIfExists']),
           pick(rng, ['aws:username', 'aws:EpochTime', 'aws:SecureTransport', 'aws:SourceIp']), [pick(rng, ['alice', '1750000000', 'true', '10.0.0.0/8'])]],
  ];
  return pick(rng, gens)();
}

function conditionBlock(rng) {
  const block = {};
  const n = 1 + Math.floor(rng() * 2);
  for (let i = 0; i < n; i++) {
    const [op, key, values] = condition(rng);
    block[op] = block[op] || {};
    block[op][key] = values.length === 1 && chance(rng, 0.5) ? values[0] : values;
  }
  return block;
}

function statement(rng, acct, kind, principals) {
  const st = {};
  if (chance(rng, 0.3)) st.Sid = 'S' + Math.floor(rng() * 1000);
  st.Effect = chance(rng, kind === 'boundary' ? 0.85 : 0.75) ? 'Allow' : 'Deny';
  const acts = some(rng, ACTION_PATTERNS, 1, 3).map((a) => randCase(rng, a));
  if (chance(rng, 0.12)) st.NotAction = acts.length === 1 && chance(rng, 0.5) ? acts[0] : acts;
  else st.Action = acts.length === 1 && chance(rng, 0.5) ? acts[0] : acts;
  const res = some(rng, resourcePatterns(rng, acct), 1, 3);
  if (chance(rng, 0.1)) st.NotResource = res;
  else st.Resource = res.length === 1 && chance(rng, 0.5) ? res[0] : res;
  if (kind === 'resource') {
    if (chance(rng, 0.12)) st.NotPrincipal = pick(rng, principals.filter((p) => p !== '*' && !(p.AWS === '*')));
    else st.Principal = pick(rng, principals);
  }
  if (chance(rng, 0.35)) st.Condition = conditionBlock(rng);
  return st;
}

function policy(rng, acct, kind, principals) {
  const n = 1 + Math.floor(rng() * (kind === 'identity' ? 4 : 2));
  const sts = [];
  for (let i = 0; i < n; i++) sts.push(statement(rng, acct, kind, principals));
  const sids = new Set();
  for (const s of sts) { if (s.Sid) { if (sids.has(s.Sid)) delete s.Sid; else sids.add(s.Sid); } }
  // Version 2008-10-17 (or none) keeps ${...} as literal text.
  const version = chance(rng, 0.08) ? (chance(rng, 0.5) ? '2008-10-17' : undefined) : '2012-10-17';
  const doc = { Statement: sts.length === 1 && chance(rng, 0.3) ? sts[0] : sts };
  return version ? { Version: version, ...doc } : doc;
}

function makeCase(rng) {
  const isRole = chance(rng, 0.35);
  const principal = isRole ? `arn:aws:sts::${ACCT}:assumed-role/Reader/sess1` : `arn:aws:iam::${ACCT}:user/${pick(rng, ['alice', 'bob'])}`;
  const action = pick(rng, ACTION_NAMES);
  const resAcct = chance(rng, 0.1) ? OTHER : ACCT;
  const resource = ACTIONS[action](rng, resAcct);
  const context = {};
  if (!isRole && chance(rng, 0.8)) context['aws:username'] = principal.split('/').pop();
  if (chance(rng, 0.7)) context['aws:PrincipalArn'] = isRole ? `arn:aws:iam::${ACCT}:role/Reader` : principal;
  if (chance(rng, 0.5)) context['aws:SourceIp'] = pick(rng, ['10.1.2.3', '192.168.1.20', '203.0.113.7', '2001:db8::5', '8.8.8.8']);
  if (chance(rng, 0.5)) context['aws:SecureTransport'] = pick(rng, ['true', 'false']);
  if (chance(rng, 0.5)) context['aws:CurrentTime'] = pick(rng, ['2024-01-01T00:00:00Z', '2025-06-15T12:00:00Z', '2026-03-01T08:30:00Z']);
  if (chance(rng, 0.5)) context['aws:EpochTime'] = pick(rng, ['1700000000', '1750000000', '1760000000']);
  if (chance(rng, 0.5)) context['aws:RequestedRegion'] = pick(rng, ['us-east-1', 'eu-west-1']);
  if (chance(rng, 0.4)) context['aws:PrincipalTag/team'] = pick(rng, ['orders', 'ops']);
  if (action.startsWith('dynamodb:')) {
    if (chance(rng, 0.5)) context['dynamodb:LeadingKeys'] = some(rng, ['alice', 'bob', 'u-1'], 1, 2);
    if (chance(rng, 0.4)) context['dynamodb:Attributes'] = some(rng, ['id', 'name', 'email', 'secret'], 1, 3);
    if (chance(rng, 0.4)) context['dynamodb:Select'] = pick(rng, ['SPECIFIC_ATTRIBUTES', 'ALL_ATTRIBUTES', 'COUNT']);
    if (chance(rng, 0.3)) context['dynamodb:ReturnValues'] = pick(rng, ['NONE', 'ALL_OLD']);
  }
  const principals = [
    { AWS: principal }, { AWS: `arn:aws:iam::${ACCT}:root` }, { AWS: ACCT }, '*', { AWS: '*' },
    { AWS: `arn:aws:iam::${OTHER}:user/mallory` }, ...(isRole ? [{ AWS: `arn:aws:iam::${ACCT}:role/Reader` }] : []),
  ];
  const c = {
    identityPolicies: [],
    resourcePolicy: null,
    permissionBoundaries: null,
    request: { principal, action, resource, resourceAccount: resAcct, context },
  };
  const nid = Math.floor(rng() * 3) + (chance(rng, 0.1) ? 0 : 1);
  for (let i = 0; i < nid; i++) c.identityPolicies.push({ name: `policy${i}`, policy: policy(rng, ACCT, 'identity') });
  if (chance(rng, 0.2)) c.permissionBoundaries = [{ name: 'boundary', policy: policy(rng, ACCT, 'boundary') }];
  if (chance(rng, 0.25)) c.resourcePolicy = policy(rng, resAcct, 'resource', principals);
  if (isRole && chance(rng, 0.2)) c.sessionPolicies = [{ name: 'session', policy: policy(rng, ACCT, 'identity') }];
  return c;
}

module.exports = { mulberry32, makeCase, WILDCARD_ONLY };
