#!/usr/bin/env node
// bench_oracle.js: decisions per second of npm @cloud-copilot/iam-simulate on a case file, in
// one process: runSimulation (its public API, with validation) and, when no case has a resource
// or session policy (which that path mishandles), runUnsafeSimulation (no validation, fastest).
//   node bench_oracle.js CASES.jsonl SECONDS
'use strict';
const fs = require('fs');
const { runSimulation, runUnsafeSimulation } = require('@cloud-copilot/iam-simulate');
const cases = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((c) => ({
  request: { principal: c.request.principal, action: c.request.action,
             resource: { resource: c.request.resource, accountId: c.request.resourceAccount }, contextVariables: c.request.context },
  identityPolicies: c.identityPolicies, serviceControlPolicies: [], resourceControlPolicies: [],
  resourcePolicy: c.resourcePolicy || undefined, permissionBoundaryPolicies: c.permissionBoundaries || undefined,
  sessionPolicy: c.sessionPolicies ? c.sessionPolicies[0].policy : undefined,
}));
const seconds = Number(process.argv[3] || '3');
const unsafeOk = cases.every((c) => !c.resourcePolicy && !c.sessionPolicy);

async function measure(fn) {
  for (let i = 0; i < 200; i++) await fn(cases[i % cases.length]);  // warm up the JIT
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let now = t0;
  while (now < end) {
    for (let i = 0; i < cases.length; i++) await fn(cases[i]);
    n += cases.length;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - t0) / 1e9);
}

(async () => {
  const safe = await measure((c) => runSimulation(c, {}));
  const unsafe = unsafeOk ? await measure((c) => runUnsafeSimulation(c, {})) : null;
  console.log(JSON.stringify({ engine: 'iam-simulate', cases: cases.length, per_second: unsafe || safe,
                               run_simulation_per_second: safe, run_unsafe_simulation_per_second: unsafe }));
})();
