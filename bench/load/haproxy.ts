// haproxy as the reference proxy: plain TCP forwarding on ONE thread, from a generated config.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, type ManagedChild } from './child-processes';
import { LOOPBACK, waitForPort } from './ports';

export interface Haproxy {
  process: ManagedChild;
  port: number;
}

/** The whole configuration: one frontend straight to one origin, no logging, no checks. */
export function haproxyConfig(listenPort: number, originPort: number): string {
  return [
    'global',
    // One thread, so it is compared with fault on an equal footing (fault --workers 1).
    '    nbthread 1',
    // Far above the benchmark's connections, and low enough for a 20000 open-files limit.
    '    maxconn 4096',
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 60s',
    '    timeout server 60s',
    '',
    'frontend load_bench',
    `    bind ${LOOPBACK}:${listenPort}`,
    '    default_backend origin',
    '',
    'backend origin',
    `    server origin ${LOOPBACK}:${originPort}`,
    '',
  ].join('\n');
}

export async function startHaproxy(tempDir: string, listenPort: number, originPort: number): Promise<Haproxy> {
  const configFile = join(tempDir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(listenPort, originPort));
  // -db: stay in the foreground as one process, so its pid is the one whose CPU we read.
  const child = startChild('haproxy', 'haproxy', ['-db', '-f', configFile]);
  await waitForPort(listenPort, child);
  return { process: child, port: listenPort };
}

/** e.g. "2.6.12-1+deb12u4", for the results file. */
export function haproxyVersion(): string {
  const banner = execFileSync('haproxy', ['-v'], { encoding: 'utf8' });
  return /version (\S+)/i.exec(banner)?.[1] ?? banner.split('\n')[0];
}
