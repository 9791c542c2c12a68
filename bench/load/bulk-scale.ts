// `npm run bench:bulk-scale`: the two measurements wrk cannot make.
//  bulk:  1 GB (--bytes) streamed over one loopback connection, direct, through haproxy (tcp,
//         1 thread) and through a fault TCP mapping with no fault (1 worker), in interleaved
//         rounds: GB/s and proxy CPU per GB, as ratios. The endpoints are iperf3 when it is
//         installed (a C client and server: a node pair tops out near the rates measured), else
//         a node client and sink (bulk-peer.ts).
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

function haveIperf3(): boolean {
  try {
    execFileSync('iperf3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** iperf3 sends `bytes` to the server behind `port`; the receiver's rate is the one that counts. */
async function runIperf3(port: number, bytes: number): Promise<{ ms: number; ok: boolean }> {
  const child = startChild('iperf3 client', 'iperf3', ['-c', '127.0.0.1', '-p', String(port), '-n', String(bytes), '-J']);
  await child.exited;
  try {
    const report = JSON.parse(child.stdout()) as { end?: { sum_received?: { bytes: number; seconds: number } }; error?: string };
    const received = report.end?.sum_received;
    if (!received || report.error) return { ms: Number.NaN, ok: false };
    // The receiver's count stops when the sender is done: what is still in flight inside a proxy
    // is not in it, so the rate is the receiver's bytes over its time, scaled to `bytes`.
    return { ms: ((received.seconds * 1000) / received.bytes) * bytes, ok: received.bytes >= bytes * 0.95 };
  } catch {
    return { ms: Number.NaN, ok: false };
  }
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

/** An iperf3 server on a free port (it serves one test after another). */
async function startIperf3Server(): Promise<{ child: ManagedChild; port: number }> {
  const port = await findFreePort();
  const child = startChild('iperf3 server', 'iperf3', ['-s', '-p', String(port), '-B', '127.0.0.1', '--forceflush']);
  await child.waitForStdout(/Server listening/, 10_000);
  return { child, port };
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Raises this process's soft open-files limit to its hard limit, and as root the hard limit to
 * at least 65536 too (children inherit it).
 */
function raiseOpenFilesLimit(): { soft: number; hard: number } {
  // Node has no setrlimit; prlimit(1) on our own pid does it.
  try {
    let hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
    if (process.getuid?.() === 0 && hard < 65536) hard = 65536;
    try {
      execFileSync('prlimit', [`--pid=${process.pid}`, `--nofile=${hard}:${hard}`], { stdio: 'ignore' });
    } catch {
      // No CAP_SYS_RESOURCE (a sandbox): the hard limit stays, the soft one goes up to it.
      hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
      execFileSync('prlimit', [`--pid=${process.pid}`, `--nofile=${hard}:${hard}`]);
    }
  } catch {
    // Not fatal: the scale run reports errors if it runs out of descriptors.
  }
  const limits = readFileSync(`/proc/${process.pid}/limits`, 'utf8');
  const match = /Max open files\s+(\d+)\s+(\d+)/.exec(limits);
  return { soft: Number(match?.[1]), hard: Number(match?.[2]) };
}

async function bulk(bytes: number, rounds: number, tempDir: string): Promise<Record<string, unknown>> {
  const iperf3 = haveIperf3();
  const sinkPeer = iperf3 ? await startIperf3Server() : await startPeer('sink');
  const send = iperf3 ? runIperf3 : runSource;
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
        await send(port, 64 * 1024 * 1024); // warm-up
      }
      const cpuBefore = proxy ? processCpuMicros(proxy.pid) : 0;
      const result = await send(port, bytes);
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
  process.stdout.write(`\nbulk: 1 connection, ${iperf3 ? 'iperf3 client -> iperf3 server' : 'node client -> node sink'} over loopback (median of rounds)\n`);
  for (const row of summary) {
    process.stdout.write(
      `  ${row.id.padEnd(13)} ${row.gbps.toFixed(2).padStart(6)} GB/s  vs haproxy ${(row.gbps / of('haproxy').gbps).toFixed(2)}  vs direct ${(row.gbps / of('direct').gbps).toFixed(2)}` +
        `${Number.isFinite(row.cpuMsPerGb) ? `  proxy CPU ${row.cpuMsPerGb.toFixed(0)} ms/GB (vs haproxy ${(row.cpuMsPerGb / of('haproxy').cpuMsPerGb).toFixed(2)})` : ''}${row.failures ? `  ${row.failures} failed` : ''}\n`,
    );
  }
  await haproxy.process.stop();
  await sinkPeer.child.stop();
  return { bytes, rounds, endpoints: iperf3 ? 'iperf3' : 'node', rows, summary };
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
