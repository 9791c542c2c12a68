// Starts `node bin/fault.js run` in one of the benchmarked configurations.
import { startChild, type ManagedChild } from './child-processes';
import { LOOPBACK, waitForPort } from './ports';
import { FAULT_BIN } from './repo-paths';

export interface FaultSetup {
  /** tcp: a --proxy port mapping; http: the HTTP forward proxy. */
  mode: 'tcp' | 'http';
  workers: number;
  /** A fixed injected delay (stddev 0), or none. */
  latencyMs?: number;
  /** Further `fault run` flags, verbatim: the faults of the fault-cost suite. */
  faultFlags?: readonly string[];
}

/** The `fault run` arguments of a setup; exported so the results file can record them. */
export function faultRunArguments(setup: FaultSetup, listenPort: number, originPort: number): string[] {
  const listener =
    setup.mode === 'tcp'
      ? ['--disable-http-proxy', '--proxy', `${LOOPBACK}:${listenPort}=${LOOPBACK}:${originPort}`]
      : ['--proxy-address', `${LOOPBACK}:${listenPort}`, '--upstream', '*'];
  const latency =
    setup.latencyMs === undefined
      ? []
      : [
          '--with-latency',
          '--latency-mean',
          String(setup.latencyMs),
          '--latency-stddev',
          '0',
          // A mapping delays once per connection by default; keep-alive wrk would then see the
          // delay only on its first request. Per read/write delays every response, like HTTP mode.
          ...(setup.mode === 'tcp' ? ['--latency-per-read-write'] : []),
        ];
  return ['run', '--no-ui', '--workers', String(setup.workers), ...listener, ...latency, ...(setup.faultFlags ?? [])];
}

export async function startFault(setup: FaultSetup, listenPort: number, originPort: number): Promise<ManagedChild> {
  const args = [FAULT_BIN, ...faultRunArguments(setup, listenPort, originPort)];
  const child = startChild(`fault (${setup.mode}, ${setup.workers} workers)`, process.execPath, args, cleanEnvironment());
  await waitForPort(listenPort, child);
  return child;
}

/**
 * The harness's environment without FAULT_* settings (which fault would read as defaults) and
 * proxy variables, so that what is measured is exactly what the arguments say.
 */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^FAULT_/.test(name) && !/^(https?|all|no)_proxy$/i.test(name)) env[name] = value;
  }
  return env;
}
