#!/usr/bin/env node
'use strict';
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Extra arguments are passed through, e.g. `node scripts/run-tests.js --test-name-pattern=latency`.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const root = join(__dirname, '..', 'dist', 'test');
const files = collect(root).sort();
if (files.length === 0) {
  console.error(`no test files under ${root}: did the build run?`);
  process.exit(1);
}
// Test files start real servers and proxies; one file at a time keeps timing assertions honest
// on a 2-core machine.
// A test that hangs fails after 5 minutes instead of holding CI until its own time runs out.
const args = ['--test', '--test-concurrency=1', '--test-timeout=300000', ...process.argv.slice(2), ...files];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
