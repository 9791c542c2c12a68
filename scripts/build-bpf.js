#!/usr/bin/env node
'use strict';
// Compiles the stealth-mode eBPF programs (native/fault_stealth.bpf.c) with clang for the bpf
// target into build/bpf/fault_stealth.bpf.o. Run by build-native.js after the addons.
//
// Never fails the build: without clang or the kernel/libbpf headers it writes why into
// build/bpf/UNAVAILABLE (read by `fault run --stealth` to explain itself), prints one warning
// and exits 0. Skips the compile when the object is newer than its source.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const source = path.join(root, 'native', 'fault_stealth.bpf.c');
const outDir = path.join(root, 'build', 'bpf');
const target = path.join(outDir, 'fault_stealth.bpf.o');
const reasonFile = path.join(outDir, 'UNAVAILABLE');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function record(reason) {
  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(target, { force: true });
  fs.writeFileSync(reasonFile, `${reason}\n`);
  console.warn(`fault: WARNING: stealth eBPF programs not built (${reason}); fault run --stealth will be unavailable.`);
}

function clangBinary() {
  const wanted = (process.env.BPF_CLANG || 'clang').trim();
  const res = spawnSync(wanted, ['--version'], { encoding: 'utf8' });
  return res.status === 0 ? wanted : null;
}

// Debian keeps <asm/types.h> under the multiarch directory, which clang -target bpf does not search.
function multiarchInclude() {
  const res = spawnSync('gcc', ['-print-multiarch'], { encoding: 'utf8' });
  const triple = res.status === 0 ? res.stdout.trim() : `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  const dir = path.join('/usr/include', triple);
  return fs.existsSync(dir) ? [`-I${dir}`] : [];
}

function targetArch() {
  return { x64: 'x86', arm64: 'arm64', arm: 'arm', ppc64: 'powerpc', s390x: 's390', riscv64: 'riscv' }[process.arch] ?? 'x86';
}

function main() {
  if (process.platform !== 'linux') return record(`stealth mode is Linux-only (platform is ${process.platform})`);
  if (process.env.FAULT_NATIVE_REBUILD !== '1' && mtime(target) >= mtime(source) && mtime(source) >= 0) return;
  const clang = clangBinary();
  if (!clang) return record('clang not found; install clang and llvm');
  const headers = ['/usr/include/linux/bpf.h', '/usr/include/bpf/bpf_helpers.h'];
  const missingHeader = headers.find((h) => !fs.existsSync(h));
  if (missingHeader) {
    return record(`${missingHeader} not found; install ${missingHeader.includes('/bpf/bpf_') ? 'libbpf-dev' : 'linux-libc-dev'}`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const args = ['-O2', '-g', '-target', 'bpf', `-D__TARGET_ARCH_${targetArch()}`, ...multiarchInclude(),
    '-Wall', '-Werror', '-c', source, '-o', target];
  const res = spawnSync(clang, args, { encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) {
    const first = `${res.stderr || ''}${res.stdout || ''}`.split('\n').find((l) => /error/i.test(l)) || `exit ${res.status ?? res.signal}`;
    return record(`clang failed: ${first.trim().slice(0, 200)}`);
  }
  fs.rmSync(reasonFile, { force: true });
  console.log(`fault: built eBPF object ${path.relative(root, target)}`);
}

try {
  main();
} catch (err) {
  try {
    record(`unexpected error: ${err && err.message}`);
  } catch {
    // nothing more to do
  }
}
process.exitCode = 0;
