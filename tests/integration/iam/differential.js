#!/usr/bin/env node
// differential.js: compares leastcloud's IAM engine with npm @cloud-copilot/iam-simulate on random
// cases. The oracle runs in this process (a test tool, never linked into leastcloud); ours runs
// as `lc_iam_cli iam simulate --batch`, one process for all cases.
//   node differential.js --cli PATH [--seed N] [--cases N] [--out DIR]
// Exits 1 on any disagreement not listed in known_oracle_differences.json (each entry there
// carries the AWS documentation quote that shows the oracle's answer is the wrong one). A
// disagreement counts as explained by an entry only if, after the entry's rewrite (which removes
// the construct the oracle gets wrong, e.g. 0.0.0.0/0 -> 0.0.0.0/1), both engines agree again.
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
  const runOurs = (list) => {
    const input = list.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const run = spawnSync(cli, ['iam', 'simulate', '--batch'], { input, maxBuffer: 1 << 30 });
    if (run.status !== 0) { console.error('lc_iam_cli failed', run.status, String(run.stderr)); process.exit(1); }
    return String(run.stdout).trim().split('\n').map((l) => JSON.parse(l));
  };
  const ours = runOurs(cases);
  const known = JSON.parse(fs.readFileSync(path.join(__dirname, 'known_oracle_differences.json'), 'utf8'));
  const tally = {};
  const candidates = [];
  for (let i = 0; i < cases.length; i++) {
    const o = oracle[i], u = ours[i] ? ours[i].decision : 'missing';
    tally[o] = (tally[o] || 0) + 1;
    if (o !== u) candidates.push(i);
  }
  // Try each entry that matches: rewrite, re-run both engines, and accept if they agree.
  const disagreements = [];
  const explainedBy = {};
  for (const i of candidates) {
    const text = JSON.stringify(cases[i]);
    // Several of the oracle's mistakes can meet in one case: undo every one that applies.
    let explained = null;
    const names = [];
    let t = text;
    for (const k of known) {
      if (!new RegExp(k.match).test(t) || (k.require && !new RegExp(k.require).test(t))) continue;
      names.push(k.name);
      for (const [re, to] of k.rewrite) t = t.replace(new RegExp(re, 'g'), to);
    }
    if (names.length) {
      const c2 = JSON.parse(t);
      const r2 = await runSimulation(toSimulation(c2), {});
      if (r2.resultType === 'single' && r2.overallResult === runOurs([c2])[0].decision) explained = names.join('+');
    }
    if (explained) { explainedBy[explained] = (explainedBy[explained] || 0) + 1; continue; }
    disagreements.push({ index: i, oracle: oracle[i], ours: ours[i], case: cases[i] });
  }
  const explained = candidates.length - disagreements.length;
  const report = path.join(outDir, `iam-differential-${seed}.jsonl`);
  fs.writeFileSync(report, disagreements.map((d) => JSON.stringify(d)).join('\n') + (disagreements.length ? '\n' : ''));
  console.log(`seed ${seed}: ${cases.length} cases (${skipped} rejected by the oracle's validation), ` +
              `oracle decisions ${JSON.stringify(tally)}, ${explained} known oracle differences ${JSON.stringify(explainedBy)}, ` +
              `${disagreements.length} disagreements${disagreements.length ? ' -> ' + report : ''}`);
  console.log(`${cases.length - disagreements.length} passed, ${disagreements.length} failed`);
  process.exit(disagreements.length ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(1); });
