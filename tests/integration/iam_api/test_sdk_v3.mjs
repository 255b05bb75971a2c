// @aws-sdk/client-iam and @aws-sdk/client-sts v3 (Node) against `leastcloud serve`: users, keys,
// policies, roles, AssumeRole through the trust policy, GetCallerIdentity for each kind of caller,
// and AWS's error codes and messages as the SDK surfaces them (modelled errors by their shape names:
// the wire's DeleteConflict is DeleteConflictException in SDK v3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IAMClient, CreateUserCommand, GetUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateRoleCommand,
  CreatePolicyCommand, AttachUserPolicyCommand, ListAttachedUserPoliciesCommand, GetPolicyVersionCommand,
  UpdateAccessKeyCommand, DeleteUserCommand, ListUsersCommand, SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from '@aws-sdk/client-sts';

const build = process.env.LC_BUILD_DIR || join(process.cwd(), 'build');
const ACCOUNT = '000000000000';
let server, state, endpoint, root;

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const creds = (c) => ({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
const iam = (c = root) => new IAMClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: creds(c) });
const sts = (c = root) => new STSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: creds(c) });
const allow = (Action, Resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });
const rejects = async (p) => {
  try { await p; } catch (e) { return { code: e.name, message: e.message, status: e.$metadata?.httpStatusCode }; }
  throw new Error('the call succeeded');
};

before(async () => {
  state = mkdtempSync(join(tmpdir(), 'lc_iam_sdk_v3_'));
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  server = spawn(join(build, 'leastcloud'), ['--state', state, 'serve', '--port', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try { const r = await fetch(endpoint + '/'); if (r.ok) break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  const ini = readFileSync(join(state, 'credentials'), 'utf8');
  root = {
    AccessKeyId: /aws_access_key_id = (\S+)/.exec(ini)[1],
    SecretAccessKey: /aws_secret_access_key = (\S+)/.exec(ini)[1],
  };
});

after(() => {
  server.kill('SIGTERM');
  rmSync(state, { recursive: true, force: true });
});

test('users, keys, managed policies and callers through the SDK', async () => {
  const who = await sts().send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  const user = (await iam().send(new CreateUserCommand({ UserName: 'node-user' }))).User;
  assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/node-user`);
  assert.ok(user.CreateDate instanceof Date);
  const key = (await iam().send(new CreateAccessKeyCommand({ UserName: 'node-user' }))).AccessKey;
  await iam().send(new PutUserPolicyCommand({ UserName: 'node-user', PolicyName: 'p', PolicyDocument: allow('iam:GetUser') }));
  assert.equal((await iam(key).send(new GetUserCommand({}))).User.UserName, 'node-user');
  assert.equal((await sts(key).send(new GetCallerIdentityCommand({}))).UserId, user.UserId);
  const pol = (await iam().send(new CreatePolicyCommand({ PolicyName: 'node-p', PolicyDocument: allow('iam:ListUsers') }))).Policy;
  await iam().send(new AttachUserPolicyCommand({ UserName: 'node-user', PolicyArn: pol.Arn }));
  const attached = await iam().send(new ListAttachedUserPoliciesCommand({ UserName: 'node-user' }));
  assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'node-p', PolicyArn: pol.Arn }]);
  const v1 = (await iam().send(new GetPolicyVersionCommand({ PolicyArn: pol.Arn, VersionId: 'v1' }))).PolicyVersion;
  assert.deepEqual(JSON.parse(decodeURIComponent(v1.Document)), JSON.parse(allow('iam:ListUsers')));
  assert.ok((await iam(key).send(new ListUsersCommand({}))).Users.some((u) => u.UserName === 'node-user'));
  const sim = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user.Arn, ActionNames: ['iam:ListUsers', 'iam:DeleteUser'] }));
  assert.deepEqual(sim.EvaluationResults.map((r) => r.EvalDecision), ['allowed', 'implicitDeny']);

  const denied = await rejects(iam(key).send(new DeleteUserCommand({ UserName: 'node-user' })));
  assert.deepEqual(denied, {
    code: 'AccessDenied', status: 403,
    message: `User: arn:aws:iam::${ACCOUNT}:user/node-user is not authorized to perform: iam:DeleteUser on resource: ` +
      `arn:aws:iam::${ACCOUNT}:user/node-user because no identity-based policy allows the iam:DeleteUser action`,
  });
  const conflict = await rejects(iam().send(new DeleteUserCommand({ UserName: 'node-user' })));
  assert.deepEqual(conflict, { code: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must delete access keys first.' });
  const missing = await rejects(iam().send(new GetUserCommand({ UserName: 'ghost' })));
  assert.deepEqual(missing, { code: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });
  const exists = await rejects(iam().send(new CreateUserCommand({ UserName: 'node-user' })));
  assert.deepEqual(exists, { code: 'EntityAlreadyExistsException', status: 409, message: 'User with name node-user already exists.' });

  await iam().send(new UpdateAccessKeyCommand({ UserName: 'node-user', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
  const inactive = await rejects(sts(key).send(new GetCallerIdentityCommand({})));
  assert.deepEqual(inactive, { code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid' });
  const unknown = await rejects(sts({ AccessKeyId: 'AKIAUNKNOWNKEY000000', SecretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})));
  assert.equal(unknown.code, 'InvalidClientTokenId');
  const badSecret = await rejects(sts({ AccessKeyId: root.AccessKeyId, SecretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})));
  assert.equal(badSecret.code, 'SignatureDoesNotMatch');
});

test('AssumeRole checks the trust policy; the session is the assumed role', async () => {
  await iam().send(new CreateUserCommand({ UserName: 'node-dev' }));
  const dev = (await iam().send(new CreateAccessKeyCommand({ UserName: 'node-dev' }))).AccessKey;
  const role = (await iam().send(new CreateRoleCommand({
    RoleName: 'node-role',
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/node-dev` }, Action: 'sts:AssumeRole' }] }),
  }))).Role;
  const r = await sts(dev).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'node' }));
  assert.equal(r.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/node-role/node`);
  assert.ok(r.Credentials.Expiration instanceof Date);
  const me = await sts(r.Credentials).send(new GetCallerIdentityCommand({}));
  assert.deepEqual([me.Arn, me.UserId], [r.AssumedRoleUser.Arn, `${role.RoleId}:node`]);
  await iam().send(new CreateUserCommand({ UserName: 'node-stranger' }));
  const stranger = (await iam().send(new CreateAccessKeyCommand({ UserName: 'node-stranger' }))).AccessKey;
  const refused = await rejects(sts(stranger).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'node' })));
  assert.deepEqual(refused, {
    code: 'AccessDenied', status: 403,
    message: `User: arn:aws:iam::${ACCOUNT}:user/node-stranger is not authorized to perform: sts:AssumeRole on resource: ` +
      `${role.Arn} because no identity-based policy allows the sts:AssumeRole action`,
  });
});
