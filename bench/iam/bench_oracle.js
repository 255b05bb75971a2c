#!/usr/bin/env node
// bench_oracle.js: decisions per second of npm @cloud-copilot/iam-simulate on a case file, in
// one process (runUnsafeSimulation: no validation, the simulator's fastest path).
//   node bench_oracle.js CASES.jsonl SECONDS
'use strict';
const fs = require('fs');
const { runUnsafeSimulation } = require('@cloud-copilot/iam-simulate');
const cases = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((c) => ({
  request: { principal: c.request.principal, action: c.request.action,
             resource: { resource: c.request.resource, accountId: c.request.resourceAccount }, contextVariables: c.request.context },
  identityPolicies: c.identityPolicies, serviceControlPolicies: [], resourceControlPolicies: [],
  resourcePolicy: c.resourcePolicy || undefined, permissionBoundaryPolicies: c.permissionBoundaries || undefined,
  sessionPolicy: c.sessionPolicies ? c.sessionPolicies[0].policy : undefined,
}));
const seconds = Number(process.argv[3] || '3');
for (let i = 0; i < 200; i++) runUnsafeSimulation(cases[i % cases.length], {});  // warm up the JIT
let n = 0;
const t0 = process.hrtime.bigint();
const end = t0 + BigInt(Math.round(seconds * 1e9));
let now = t0;
while (now < end) {
  for (let i = 0; i < cases.length; i++) runUnsafeSimulation(cases[i], {});
  n += cases.length;
  now = process.hrtime.bigint();
}
const dt = Number(now - t0) / 1e9;
console.log(JSON.stringify({ engine: 'iam-simulate', cases: cases.length, decisions: n, seconds: dt, per_second: n / dt }));
