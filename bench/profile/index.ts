// `npm run profile`: profiles fault under load. Starts the origin, then fault (HTTP forward
// proxy, 1 worker, by default) under a profiler, runs wrk through it, stops fault and leaves the
// profiles in bench/results/profile-<tool>-<timestamp>/.
//
//   --tool cpu-prof       node --cpu-prof: one .cpuprofile per thread (main AND each shard's
//                         worker thread, where the data plane runs), summarised as text here
//                         (open the files in Chrome DevTools > Performance, or speedscope).
//   --tool doctor|flame   clinic doctor / clinic flame (clinic is a devDependency; CLINIC_BIN=<path>
//                         picks another binary), run with
//                         NO_INSIGHT and NO_UPDATE_NOTIFIER so it sends nothing anywhere.
//                         Doctor's event-loop delay and flame's stacks are of the MAIN thread
//                         only, where fault's engine runs; the shards' data plane is in worker
//                         threads, which only cpu-prof shows.
//   --tool all            (default) cpu-prof, then doctor and flame when clinic is there.
//   --mode http|tcp, --workers <n>, --duration <s> (default 10), --latency <ms> (adds a fixed
//   per-read/write delay, e.g. to profile the timer wheel).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild } from '../load/child-processes';
import { type FaultSetup, faultRunArguments } from '../load/fault-process';
import { waitUntilServing } from '../load/http-probe';
import { startOrigin } from '../load/origin';
import { findFreePort, waitForPort } from '../load/ports';
import { DEFAULT_RESULTS_DIR, FAULT_BIN, REPO_ROOT } from '../load/repo-paths';
import { exitAfterStoppingChildren, guardAgainstOrphans } from '../load/shutdown';
import { runWrk, writeForwardProxyScript } from '../load/wrk';
import { formatSummary, summariseProfile } from './summarise-cpuprofile';

type Tool = 'cpu-prof' | 'doctor' | 'flame';
const CLINIC_BIN = process.env.CLINIC_BIN ?? join(REPO_ROOT, 'node_modules', '.bin', 'clinic');
/** clinic asks (on a TTY) to send usage statistics and checks npm for updates: both off. */
const CLINIC_ENV = { ...process.env, NO_INSIGHT: '1', NO_UPDATE_NOTIFIER: '1' };

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      tool: { type: 'string' },
      mode: { type: 'string' },
      workers: { type: 'string' },
      duration: { type: 'string' },
      latency: { type: 'string' },
    },
    strict: true,
  });
  const requested = values.tool ?? 'all';
  const clinic = existsSync(CLINIC_BIN);
  const tools: Tool[] = requested === 'all' ? ['cpu-prof', ...(clinic ? (['doctor', 'flame'] as const) : [])] : [requested as Tool];
  if (!tools.every((tool) => ['cpu-prof', 'doctor', 'flame'].includes(tool))) throw new Error(`--tool: cpu-prof, doctor, flame or all, got ${requested}`);
  if (tools.some((tool) => tool !== 'cpu-prof') && !clinic) {
    throw new Error('clinic is not installed (it is a devDependency: run npm install), or use --tool cpu-prof');
  }
  if (requested === 'all' && !clinic) progress('clinic not installed (npm install --omit=dev?): only --cpu-prof');
  const setup: FaultSetup = {
    mode: values.mode === 'tcp' ? 'tcp' : 'http',
    workers: Number(values.workers ?? 1),
    latencyMs: values.latency === undefined ? undefined : Number(values.latency),
  };
  const duration = Number(values.duration ?? 10);

  const tempDir = mkdtempSync(join(tmpdir(), 'fault-profile-'));
  guardAgainstOrphans(() => rmSync(tempDir, { recursive: true, force: true }));
  const origin = await startOrigin();
  const script = writeForwardProxyScript(tempDir, origin.port);
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');

  for (const tool of tools) {
    const dir = join(DEFAULT_RESULTS_DIR, `profile-${tool}-${stamp}`);
    mkdirSync(dir, { recursive: true });
    const port = await findFreePort();
    const faultArgs = [FAULT_BIN, ...faultRunArguments(setup, port, origin.port)];
    // Per-read/write latency only makes sense on a mapping; in HTTP mode it is per exchange anyway.
    const command =
      tool === 'cpu-prof'
        ? [process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...faultArgs]]
        : [CLINIC_BIN, [tool, '--dest', dir, '--open=false', '--', process.execPath, ...faultArgs]];
    progress(`${tool}: fault ${setup.mode} ${setup.workers}w under load for ${duration} s -> ${dir}`);
    const child = startChild(`fault under ${tool}`, command[0] as string, command[1] as string[], tool === 'cpu-prof' ? undefined : CLINIC_ENV);
    await waitForPort(port, child);
    await waitUntilServing({ port, forwardProxyTo: setup.mode === 'http' ? origin.port : undefined }, 60_000);
    const wrk = await runWrk({ port, connections: 50, threads: 1, durationSeconds: duration, scriptFile: setup.mode === 'http' ? script : undefined });
    progress(`  wrk: ${wrk.requestsPerSecond.toFixed(0)} req/s, p50 ${wrk.latencyMs.p50.toFixed(2)} ms (slower than unprofiled: the profiler costs CPU)`);
    // clinic needs SIGINT to stop its child and write its report; fault stops cleanly on either.
    const status = await stopWith(child, tool === 'cpu-prof' ? 'SIGTERM' : 'SIGINT');
    if (status !== 0) progress(`  ${child.describeExit()}`);
    if (tool === 'cpu-prof') {
      const profiles = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
      for (const name of profiles) process.stdout.write(`${formatSummary(summariseProfile(join(dir, name), 25, REPO_ROOT))}\n\n`);
    } else {
      const html = readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith('.html'));
      progress(`  ${tool} report: ${html.map((name) => join(dir, name)).join(', ') || '(none written: see stderr above)'}`);
    }
  }
  return 0;
}

async function stopWith(child: ReturnType<typeof startChild>, signal: NodeJS.Signals): Promise<number | null> {
  process.kill(child.pid, signal);
  // clinic analyses after the child exits, which takes a while; SIGKILL only if it hangs.
  const timer = setTimeout(() => child.killNow(), 180_000);
  const status = await child.exited;
  clearTimeout(timer);
  return status.code;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => exitAfterStoppingChildren(code),
  (error: unknown) => {
    progress(`profile: ${error instanceof Error ? error.message : String(error)}`);
    return exitAfterStoppingChildren(1);
  },
);
