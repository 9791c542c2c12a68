// `npm run bench:bulk-scale`: the two measurements wrk cannot make.
//  bulk:  1 GB (--bytes) streamed over one loopback connection by a node client to a node sink,
//         direct, through haproxy (tcp, 1 thread) and through a fault TCP mapping with no fault
//         (1 worker), in interleaved rounds: GB/s and proxy CPU per GB, as ratios.
//  scale: --connections (default 9500) concurrent connections held through a fault TCP mapping
//         (2 workers) with 100 ms latency per read/write active: fault's RSS before and after
//         (from /proc), RSS per connection, errors. fault needs 2 fds per relayed connection, so
//         the process's open-files limit (ulimit -n; the children inherit it) must exceed
//         2 x connections: the harness raises its soft limit to the hard limit first.
// Flags: --bytes <n> (default 1e9), --rounds <n> (3), --connections <n> (9500), --only bulk|scale.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild, type ManagedChild } from './child-processes';
import { processCpuMicros } from './cpu';
import { startFault } from './fault-process';
import { startHaproxy } from './haproxy';
import { findFreePort } from './ports';
import { DEFAULT_RESULTS_DIR } from './repo-paths';
import { exitAfterStoppingChildren, guardAgainstOrphans } from './shutdown';
import { median } from './summary';
import { writeFileSync } from 'node:fs';

const PEER = join(__dirname, 'bulk-peer.js');

async function startPeer(mode: string): Promise<{ child: ManagedChild; port: number }> {
  const child = startChild(`bulk-peer ${mode}`, process.execPath, [PEER, mode]);
  const match = await child.waitForStdout(/\{"port":(\d+)\}/, 10_000);
  return { child, port: Number(match[1]) };
}

async function runSource(port: number, bytes: number): Promise<{ ms: number; ok: boolean }> {
  const child = startChild('bulk-peer source', process.execPath, [PEER, 'source', String(port), String(bytes)]);
  await child.exited;
  const line = child.stdout().trim().split('\n').pop() ?? '{}';
  try {
    return JSON.parse(line) as { ms: number; ok: boolean };
  } catch {
    return { ms: Number.NaN, ok: false };
  }
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

/** Raises this process's soft open-files limit to its hard limit (children inherit it). */
function raiseOpenFilesLimit(): { soft: number; hard: number } {
  // Node has no setrlimit; prlimit(1) on our own pid does it.
  try {
    const hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
    execFileSync('prlimit', [`--pid=${process.pid}`, `--nofile=${hard}:${hard}`]);
  } catch {
    // Not fatal: the scale run reports errors if it runs out of descriptors.
  }
  const limits = readFileSync(`/proc/${process.pid}/limits`, 'utf8');
  const match = /Max open files\s+(\d+)\s+(\d+)/.exec(limits);
  return { soft: Number(match?.[1]), hard: Number(match?.[2]) };
}

async function bulk(bytes: number, rounds: number, tempDir: string): Promise<Record<string, unknown>> {
  const sinkPeer = await startPeer('sink');
  const haproxyPort = await findFreePort();
  const haproxy = await startHaproxy(tempDir, haproxyPort, sinkPeer.port);
  type Row = { id: string; gbps: number[]; cpuMsPerGb: number[]; failures: number };
  const rows: Row[] = ['direct', 'haproxy', 'fault-tcp-w1'].map((id) => ({ id, gbps: [], cpuMsPerGb: [], failures: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[(k + round) % rows.length];
      let port = sinkPeer.port;
      let proxy: ManagedChild | undefined;
      let fault: ManagedChild | undefined;
      if (row.id === 'haproxy') {
        port = haproxy.port;
        proxy = haproxy.process;
      } else if (row.id === 'fault-tcp-w1') {
        port = await findFreePort();
        fault = await startFault({ mode: 'tcp', workers: 1 }, port, sinkPeer.port);
        proxy = fault;
        await runSource(port, 64 * 1024 * 1024); // warm-up
      }
      const cpuBefore = proxy ? processCpuMicros(proxy.pid) : 0;
      const result = await runSource(port, bytes);
      const cpu = proxy ? processCpuMicros(proxy.pid) - cpuBefore : Number.NaN;
      if (fault) await fault.stop();
      if (!result.ok) row.failures++;
      const gbps = bytes / 1e9 / (result.ms / 1000);
      row.gbps.push(gbps);
      row.cpuMsPerGb.push(cpu / 1000 / (bytes / 1e9));
      process.stderr.write(`bulk round ${round + 1} ${row.id.padEnd(13)} ${gbps.toFixed(2)} GB/s${proxy ? `, proxy ${(cpu / 1000 / (bytes / 1e9)).toFixed(0)} ms CPU/GB` : ''}${result.ok ? '' : ' FAILED'}\n`);
    }
  }
  const summary = rows.map((row) => ({ id: row.id, gbps: median(row.gbps), cpuMsPerGb: row.cpuMsPerGb.length ? median(row.cpuMsPerGb) : Number.NaN, failures: row.failures }));
  const of = (id: string) => summary.find((row) => row.id === id)!;
  process.stdout.write('\nbulk: 1 connection, node client -> node sink over loopback (median of rounds)\n');
  for (const row of summary) {
    process.stdout.write(
      `  ${row.id.padEnd(13)} ${row.gbps.toFixed(2).padStart(6)} GB/s  vs haproxy ${(row.gbps / of('haproxy').gbps).toFixed(2)}  vs direct ${(row.gbps / of('direct').gbps).toFixed(2)}` +
        `${Number.isFinite(row.cpuMsPerGb) ? `  proxy CPU ${row.cpuMsPerGb.toFixed(0)} ms/GB (vs haproxy ${(row.cpuMsPerGb / of('haproxy').cpuMsPerGb).toFixed(2)})` : ''}${row.failures ? `  ${row.failures} failed` : ''}\n`,
    );
  }
  await haproxy.process.stop();
  await sinkPeer.child.stop();
  return { bytes, rounds, rows, summary };
}

async function scale(connections: number): Promise<Record<string, unknown>> {
  const limits = raiseOpenFilesLimit();
  const needed = 2 * connections + 200;
  if (limits.soft < needed) {
    process.stderr.write(`scale: open-files limit ${limits.soft} < ${needed} needed by fault for ${connections} connections; lower --connections\n`);
  }
  const server = await startPeer('hold-server');
  const port = await findFreePort();
  const fault = await startFault({ mode: 'tcp', workers: 2, latencyMs: 100 }, port, server.port);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rssBefore = rssKiB(fault.pid);
  const client = startChild('bulk-peer hold-client', process.execPath, [PEER, 'hold-client', String(port), String(connections)]);
  const match = await client.waitForStdout(/\{"open".*\}/, 300_000);
  const held = JSON.parse(match[0]) as { open: number; echoed: number; errors: number; ms: number };
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rssAfter = rssKiB(fault.pid);
  const perConnectionKiB = (rssAfter - rssBefore) / held.echoed;
  process.stdout.write(
    `\nscale: ${connections} connections held through a fault TCP mapping (2w, +100 ms per read/write), open-files limit ${limits.soft}\n` +
      `  opened and echoed ${held.echoed}, errors ${held.errors}, still open ${held.open}, in ${(held.ms / 1000).toFixed(1)} s\n` +
      `  fault RSS ${(rssBefore / 1024).toFixed(0)} MiB idle -> ${(rssAfter / 1024).toFixed(0)} MiB: ${perConnectionKiB.toFixed(1)} KiB per connection\n`,
  );
  await client.stop();
  const status = await fault.stop(15_000);
  await server.child.stop();
  return { connections, limits, held, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter, perConnectionKiB, faultExit: status };
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { bytes: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' }, only: { type: 'string' } },
    strict: true,
  });
  const tempDir = mkdtempSync(join(tmpdir(), 'fault-bulk-'));
  guardAgainstOrphans(() => rmSync(tempDir, { recursive: true, force: true }));
  const record: Record<string, unknown> = { benchmark: 'bulk-scale', startedAt: new Date().toISOString(), node: process.version };
  if (values.only !== 'scale') record.bulk = await bulk(Number(values.bytes ?? 1e9), Number(values.rounds ?? 3), tempDir);
  if (values.only !== 'bulk') record.scale = await scale(Number(values.connections ?? 9500));
  const file = join(DEFAULT_RESULTS_DIR, `bulk-scale-${new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\nResults saved to ${file}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => exitAfterStoppingChildren(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitAfterStoppingChildren(1);
  },
);
