#!/usr/bin/env node
// regressions.js: every disagreement the differential test found, kept as a named case with the
// decision AWS's documentation calls for (see known_oracle_differences.json for the quotes).
//   node regressions.js --cli PATH
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const cli = process.argv[process.argv.indexOf('--cli') + 1];
const cases = fs.readFileSync(path.join(__dirname, 'regressions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const run = spawnSync(cli, ['iam', 'simulate', '--batch'], { input: cases.map((c) => JSON.stringify(c.case)).join('\n') + '\n' });
const out = String(run.stdout).trim().split('\n').map((l) => JSON.parse(l));
let failed = 0;
cases.forEach((c, i) => {
  const got = out[i] ? out[i].decision : 'missing';
  const ok = got === c.expect;
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'FAIL'} ${c.name}: ${got}${ok ? '' : ' (want ' + c.expect + ')'}`);
});
console.log(`${cases.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
