#!/usr/bin/env node
'use strict';
// Builds the optional native addon (build/Release/fault_native.node) with node-gyp.
//
// The addon only enables SO_REUSEPORT sharding, so this script must never fail an install:
// whatever goes wrong, it prints one warning line and exits 0, and fault runs with one shard.
//
// Skips the build when the addon is newer than its sources (keeps `npm test` fast);
// FAULT_NATIVE_REBUILD=1 forces a rebuild, FAULT_NATIVE_VERBOSE=1 shows node-gyp's output.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const target = path.join(root, 'build', 'Release', 'fault_native.node');
const logFile = path.join(root, 'build', 'fault_native-build.log');
const verbose = process.env.FAULT_NATIVE_VERBOSE === '1';

function warn(reason) {
  console.warn(`fault: WARNING: native addon not built (${reason}); fault will run with one shard.`);
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function sources() {
  const dir = path.join(root, 'native');
  let names = [];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.(c|h|cc|cpp)$/.test(n));
  } catch {
    // no native/ directory: the mtime check below then fails on binding.gyp alone
  }
  return [path.join(root, 'binding.gyp'), ...names.map((n) => path.join(dir, n))];
}

function upToDate() {
  const built = mtime(target);
  if (built < 0) return false;
  // libbpf installed since the last build: the stealth addon (binding.gyp) is still to build.
  const stealth = path.join(root, 'build', 'Release', 'fault_stealth.node');
  if (mtime(stealth) < 0 && require('./detect-libbpf').libbpfMissing() === null) return false;
  return sources().every((src) => mtime(src) >= 0 && mtime(src) <= built);
}

function exists(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// In the order the project documents: a locally installed node-gyp, the copy bundled with npm,
// then whatever npm tells its scripts to use.
function findNodeGyp() {
  const candidates = [];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] }));
  } catch {
    // not installed locally
  }
  candidates.push(
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules',
      'node-gyp', 'bin', 'node-gyp.js'),
  );
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  return candidates.find(exists);
}

function onPath(cmd) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  return dirs.some((dir) => {
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function haveCompiler() {
  const cc = (process.env.CC || '').trim().split(/\s+/)[0];
  if (cc) return path.isAbsolute(cc) ? exists(cc) : onPath(cc);
  return ['cc', 'gcc', 'clang'].some(onPath) && onPath('make');
}

// node-gyp run outside npm does not see npm's `nodedir` setting and would try to download
// headers; point it at the running node's own headers when they are installed.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.join(path.dirname(process.execPath), '..');
  if (exists(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    return [`--nodedir=${path.resolve(prefix)}`];
  }
  return [];
}

function lastErrorLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const interesting = lines.filter((l) => /error|not found|cannot|fatal/i.test(l) && !/^gyp info/.test(l));
  return (interesting[0] || lines[lines.length - 1] || 'no output').slice(0, 160);
}

function main() {
  if (process.platform !== 'linux') {
    warn(`SO_REUSEPORT sharding is Linux-only, this is ${process.platform}`);
    return;
  }
  if (process.env.FAULT_NATIVE_REBUILD !== '1' && upToDate()) {
    if (verbose) console.log('fault: native addon is up to date');
    return;
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    warn('node-gyp not found');
    return;
  }
  if (!haveCompiler()) {
    warn('no C compiler or make found');
    return;
  }

  const args = [nodeGyp, 'rebuild', ...nodedirArgs()];
  const env = { ...process.env };
  if (!env.npm_config_nodedir) delete env.npm_config_nodedir; // an empty one beats --nodedir
  const res = spawnSync(process.execPath, args, {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: verbose ? 'inherit' : 'pipe',
    timeout: 5 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const output = `${res.stdout || ''}${res.stderr || ''}`;

  let failure = null;
  if (res.error) failure = `node-gyp did not run: ${res.error.message}`;
  else if (res.status !== 0) failure = `node-gyp exited with ${res.status ?? res.signal}: ${lastErrorLine(output)}`;
  else if (!exists(target)) failure = `node-gyp succeeded but ${path.relative(root, target)} is missing`;

  if (!failure) {
    try {
      require(target);
    } catch (err) {
      failure = `built addon does not load: ${err && err.message}`;
    }
  }
  if (failure) {
    let where = '';
    if (!verbose) {
      try {
        fs.mkdirSync(path.dirname(logFile), { recursive: true });
        fs.writeFileSync(logFile, `node ${args.join(' ')}\n\n${output}`);
        where = `, log in ${path.relative(root, logFile)}`;
      } catch {
        // the warning alone will do
      }
    }
    warn(failure + where);
    return;
  }
  console.log(`fault: built native addon ${path.relative(root, target)}`);
}

try {
  main();
} catch (err) {
  warn(`unexpected error: ${err && err.message}`);
}
// The stealth-mode eBPF object (never fails either; node-gyp rebuild wipes build/, so after it).
try {
  require('./build-bpf');
} catch (err) {
  console.warn(`fault: WARNING: eBPF build skipped (${err && err.message})`);
}
process.exitCode = 0;
