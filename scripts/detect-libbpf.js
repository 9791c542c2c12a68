#!/usr/bin/env node
'use strict';
// Prints 1 when libbpf's headers and shared library are installed (the stealth addon can be
// built), else 0. Used by binding.gyp (`<!(node scripts/detect-libbpf.js)`) and build-bpf.js;
// with --why it prints the reason instead of 0/1.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

function libbpfMissing() {
  if (process.platform !== 'linux') return `stealth mode is Linux-only (platform is ${process.platform})`;
  const pc = spawnSync('pkg-config', ['--exists', 'libbpf'], { stdio: 'ignore' });
  if (pc.status === 0) return null;
  const headerDirs = ['/usr/include', '/usr/local/include'];
  if (!headerDirs.some((d) => fs.existsSync(path.join(d, 'bpf', 'libbpf.h')))) {
    return 'libbpf headers not found (install libbpf-dev)';
  }
  const libDirs = ['/usr/lib', '/usr/lib64', '/usr/local/lib', '/lib'];
  try {
    for (const d of fs.readdirSync('/usr/lib')) if (d.endsWith('-linux-gnu')) libDirs.push(path.join('/usr/lib', d));
  } catch {
    // no /usr/lib
  }
  if (!libDirs.some((d) => fs.existsSync(path.join(d, 'libbpf.so')))) return 'libbpf.so not found (install libbpf-dev)';
  return null;
}

module.exports = { libbpfMissing };

if (require.main === module) {
  const why = libbpfMissing();
  process.stdout.write(process.argv.includes('--why') ? `${why ?? 'ok'}\n` : why === null ? '1' : '0');
}
