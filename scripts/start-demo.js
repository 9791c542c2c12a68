#!/usr/bin/env node
'use strict';
// `npm start`: the demo app on 127.0.0.1:7070 and, in front of it, `fault run` on
// 127.0.0.1:3180 injecting 300 ms of latency. Extra arguments go to `fault run`
// (e.g. `npm start -- --workers 4 --latency-mean 100`). Ctrl-C stops both.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const bin = join(__dirname, '..', 'bin', 'fault.js');
const extra = process.argv.slice(2);
const demo = spawn(process.execPath, [bin, 'demo', 'run', '127.0.0.1', '7070'], { stdio: ['ignore', 'ignore', 'inherit'] });
const proxy = spawn(
  process.execPath,
  [bin, 'run', '--upstream', '*', '--with-latency', '--latency-mean', '300', '--latency-stddev', '20', ...extra],
  { stdio: 'inherit' },
);

process.stdout.write(
  'Demo app on http://127.0.0.1:7070, fault proxy on http://127.0.0.1:3180' +
    (extra.length ? ` (latency 300±20 ms unless your flags say otherwise: ${extra.join(' ')}).\n` : ' (latency 300±20 ms).\n') +
    'Try, in another terminal:\n' +
    '  curl -x http://127.0.0.1:3180 -w "\\n%{time_total}s\\n" http://127.0.0.1:7070/\n\n',
);

let exiting = false;
// Ctrl-C reaches the children directly (same process group); forwarding is for a signal sent
// to this script alone. fault treats a second signal within a second as the same one.
const stopAll = () => {
  if (exiting) return;
  exiting = true;
  if (demo.exitCode === null) demo.kill('SIGTERM');
  if (proxy.exitCode === null) proxy.kill('SIGTERM');
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
let demoFailed = false;
demo.on('exit', (code) => {
  if (!exiting && code !== 0) {
    demoFailed = true;
    process.stderr.write(`demo app exited with ${code}\n`);
  }
  stopAll();
});
proxy.on('exit', (code) => {
  stopAll();
  // The demo not starting (a busy port 7070) is a failure even though fault stopped cleanly.
  process.exitCode = code || (demoFailed ? 1 : 0);
});
