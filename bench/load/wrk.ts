// Runs wrk against one target and returns its parsed report.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild } from './child-processes';
import { LOOPBACK } from './ports';
import { parseWrkOutput, type WrkResult } from './wrk-output';

export interface WrkRun {
  port: number;
  connections: number;
  threads: number;
  durationSeconds: number;
  /** A Lua script that shapes the requests (the forward-proxy form), if any. */
  scriptFile?: string;
}

// Long enough that a 100 ms injected delay never counts as a timeout, short enough to notice a hang.
const REQUEST_TIMEOUT = '5s';

export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const args = [
    `-t${run.threads}`,
    `-c${run.connections}`,
    `-d${run.durationSeconds}s`,
    `--timeout`,
    REQUEST_TIMEOUT,
    '--latency',
    ...(run.scriptFile ? ['-s', run.scriptFile] : []),
    `http://${LOOPBACK}:${run.port}/`,
  ];
  const child = startChild('wrk', 'wrk', args);
  const status = await child.exited;
  if (status.code !== 0) throw new Error(child.describeExit());
  return parseWrkOutput(child.stdout());
}

/**
 * Writes the script that turns wrk into an HTTP forward-proxy client: requests go to the
 * proxy's port but carry the origin's absolute URL and Host, as a browser behind a proxy does.
 */
export function writeForwardProxyScript(tempDir: string, originPort: number): string {
  const file = join(tempDir, 'forward-proxy.lua');
  const origin = `${LOOPBACK}:${originPort}`;
  writeFileSync(file, [`wrk.path = "http://${origin}/"`, `wrk.headers["Host"] = "${origin}"`, ''].join('\n'));
  return file;
}

/** e.g. "4.1.0", for the results file. wrk prints its banner and exits 1 when given no URL. */
export function wrkVersion(): string {
  let banner: string;
  try {
    banner = execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    banner = String((error as { stdout?: string }).stdout ?? '');
  }
  return /wrk (\S+)/.exec(banner)?.[1] ?? 'unknown';
}
