#!/usr/bin/env node
// differential.js: compares leastcloud's IAM engine with npm @cloud-copilot/iam-simulate on random
// cases. The oracle runs in this process (a test tool, never linked into leastcloud); ours runs
// as `lc_iam_cli iam simulate --batch`, one process for all cases.
//   node differential.js --cli PATH [--seed N] [--cases N] [--out DIR]
// Exits 1 on any disagreement not listed in known_oracle_differences.json (each entry there
// carries the AWS documentation quote that shows the oracle's answer is the wrong one).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { mulberry32, makeCase } = require('./gen_cases.js');
const { runSimulation } = require('@cloud-copilot/iam-simulate');

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
}
const cli = arg('--cli');
const seed = Number(arg('--seed', '20261129'));
const count = Number(arg('--cases', '10000'));
const outDir = arg('--out', '.');
if (!cli) { console.error('usage: differential.js --cli PATH [--seed N] [--cases N]'); process.exit(2); }

function toSimulation(c) {
  return {
    request: {
      principal: c.request.principal, action: c.request.action,
      resource: { resource: c.request.resource, accountId: c.request.resourceAccount },
      contextVariables: c.request.context,
    },
    identityPolicies: c.identityPolicies,
    serviceControlPolicies: [], resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy || undefined,
    permissionBoundaryPolicies: c.permissionBoundaries || undefined,
    sessionPolicy: c.sessionPolicies ? c.sessionPolicies[0].policy : undefined,
  };
}

async function main() {
  const rng = mulberry32(seed);
  const cases = [];
  const oracle = [];
  let skipped = 0;
  while (cases.length < count) {
    const c = makeCase(rng);
    const r = await runSimulation(toSimulation(c), {});
    if (r.resultType !== 'single') { skipped++; if (skipped > count) break; continue; }
    // The oracle drops keys that do not apply to the action; ours must see the same request.
    for (const k of r.result.ignoredContextKeys || []) {
      for (const key of Object.keys(c.request.context)) if (key.toLowerCase() === k.toLowerCase()) delete c.request.context[key];
    }
    cases.push(c);
    oracle.push(r.overallResult);
  }
  const input = cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
  const run = spawnSync(cli, ['iam', 'simulate', '--batch'], { input, maxBuffer: 1 << 30 });
  if (run.status !== 0) { console.error('lc_iam_cli failed', run.status, String(run.stderr)); process.exit(1); }
  const ours = String(run.stdout).trim().split('\n').map((l) => JSON.parse(l));
  const known = JSON.parse(fs.readFileSync(path.join(__dirname, 'known_oracle_differences.json'), 'utf8'));
  const tally = {};
  const disagreements = [];
  let explained = 0;
  for (let i = 0; i < cases.length; i++) {
    const o = oracle[i], u = ours[i] ? ours[i].decision : 'missing';
    tally[o] = (tally[o] || 0) + 1;
    if (o === u) continue;
    const text = JSON.stringify(cases[i]);
    const k = known.find((k) => new RegExp(k.match).test(text) && (!k.require || new RegExp(k.require).test(text)) &&
                                (k.oracle === '*' || k.oracle === o) && (k.ours === '*' || k.ours === u));
    if (k) { explained++; continue; }
    disagreements.push({ index: i, oracle: o, ours: ours[i], case: cases[i] });
  }
  const report = path.join(outDir, `iam-differential-${seed}.jsonl`);
  fs.writeFileSync(report, disagreements.map((d) => JSON.stringify(d)).join('\n') + (disagreements.length ? '\n' : ''));
  console.log(`seed ${seed}: ${cases.length} cases (${skipped} rejected by the oracle's validation), ` +
              `oracle decisions ${JSON.stringify(tally)}, ${explained} known oracle differences, ` +
              `${disagreements.length} disagreements${disagreements.length ? ' -> ' + report : ''}`);
  console.log(`${cases.length - disagreements.length} passed, ${disagreements.length} failed`);
  process.exit(disagreements.length ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(1); });
