import * as fs from 'node:fs';
import * as path from 'node:path';
// `fault run` (and its hidden alias `fault run proxy`): options, RunConfig building, and the
// hand-over to the engine.

import { availableParallelism } from 'node:os';
import { Command, CommanderError } from 'commander';
import { formatHostPort, parseListenAddress } from '../config/address';
import { parseDuration } from '../config/duration';
import { findListenConflict, type NamedListener } from '../config/listen-conflicts';
import { parsePortMapping } from '../config/mapping';
import { isIPv4 } from 'node:net';
import type { ConfiguredFault, RunConfig, StealthConfig } from '../config/types';
import { COMM_MAX } from '../stealth/stealth';
import { parseUpstreams } from '../config/upstream';
import { InvalidValueError, parseIntegerInRange } from '../config/validate';
import type { CommandContext } from './command-context';
import { configuredFaultFrom, optionsOf } from './fault-flags/fault-flag-group';
import { faultFlagGroups } from './fault-flags';
import { addOptions, type Environment, OptionReader, type OptionSpec, parseAs } from './options';
import { UsageError } from './usage-error';

const MAX_WORKERS = 256;
const MAX_SEED = 2 ** 32 - 1;

const proxyAddress: OptionSpec = {
  flags: '--proxy-address <host:port>',
  description: 'listen address of the HTTP forward proxy; IPv6 as [::1]:3180',
  env: 'FAULT_HTTP_PROXY_ADDRESS',
  defaultValue: '127.0.0.1:3180',
};
const disableHttpProxy: OptionSpec = {
  flags: '--disable-http-proxy',
  description: 'do not start the HTTP forward proxy',
  env: 'FAULT_DISABLE_HTTP_PROXY',
};
const proxyMapping: OptionSpec = {
  flags: '--proxy <mapping>',
  description:
    'port mapping [proto:][host:]port=[scheme://]host[:port], repeatable; proto: tcp (default), tls, ' +
    'psql, psqls, http, https; listens on 127.0.0.1 unless a host is given (0.0.0.0:PORT for all ' +
    'interfaces); https/tls/psqls on either side means TLS to the remote',
  repeatable: true,
};
const upstream: OptionSpec = {
  flags: '-u, --upstream <hosts>',
  description:
    "destinations that get faults through the HTTP proxy: '*', host (any port), host:port or a URL; " +
    'repeatable or comma-separated; others pass through untouched',
  env: 'FAULT_UPSTREAMS',
  repeatable: true,
};
const duration: OptionSpec = {
  flags: '--duration <duration>',
  description: 'stop after this long, e.g. 30s, 5m, 1h30m; default: until Ctrl-C',
  env: 'FAULT_PROXY_DURATION',
};
const workers: OptionSpec = {
  flags: '--workers <n>',
  description: `proxy worker threads (1-${MAX_WORKERS})`,
  env: 'FAULT_WORKERS',
  defaultValue: String(defaultWorkerCount()),
  defaultDescription: `available parallelism, ${defaultWorkerCount()} here`,
};
const seed: OptionSpec = {
  flags: '--seed <n>',
  description: `seed for every random draw, for reproducible runs (0-${MAX_SEED}; default: random)`,
  env: 'FAULT_SEED',
};
const connectTimeout: OptionSpec = {
  flags: '--connect-timeout <duration>',
  description: 'give up connecting to an upstream after this long',
  env: 'FAULT_CONNECT_TIMEOUT',
  defaultValue: '10s',
};
const drainTimeout: OptionSpec = {
  flags: '--drain-timeout <duration>',
  description: 'time open connections get to finish when the run stops',
  env: 'FAULT_DRAIN_TIMEOUT',
  defaultValue: '2s',
};
const noUi: OptionSpec = {
  flags: '--no-ui',
  description: 'no terminal UI at all (wins over --tail)',
  env: 'FAULT_PROXY_NO_UI',
};
const tail: OptionSpec = {
  flags: '--tail',
  description: 'print one line per finished exchange (HTTP request, tunnel, TCP connection)',
  env: 'FAULT_PROXY_TAILING',
};
const report: OptionSpec = {
  flags: '--report <path>',
  description: 'write a report of the run there when it ends: .json, .md or .html',
  env: 'FAULT_REPORT_PATH',
};
const metricsAddress: OptionSpec = {
  flags: '--metrics-address <host:port>',
  description: 'serve Prometheus metrics at http://HOST:PORT/metrics',
  env: 'FAULT_METRICS_ADDRESS',
};

const stealth: OptionSpec = {
  flags: '--stealth',
  description: 'capture the IPv4 TCP connections of --capture-process with eBPF, no proxy settings needed (Linux, root)',
  env: 'FAULT_ENABLE_STEALTH',
};
const captureProcess: OptionSpec = {
  flags: '--capture-process <name>',
  description: 'stealth: capture processes whose name starts with this (the kernel keeps 15 characters)',
  env: 'FAULT_EBPF_PROCESS_NAME',
};
const ebpfProxyIp: OptionSpec = {
  flags: '--ebpf-proxy-ip <ip>',
  description: 'stealth: IPv4 address of the stealth listener (default 127.0.0.1)',
  env: 'FAULT_EBPF_PROXY_IP',
};
const ebpfProxyPort: OptionSpec = {
  flags: '--ebpf-proxy-port <port>',
  description: 'stealth: port of the stealth listener (default: a free port)',
  env: 'FAULT_EBPF_PROXY_PORT',
};
const ebpfProxyIface: OptionSpec = {
  flags: '--ebpf-proxy-iface <iface>',
  description: "stealth: listen on this interface's first IPv4 address",
  env: 'FAULT_EBPF_PROXY_IFACE',
};
const cgroupPath: OptionSpec = {
  flags: '--cgroup-path <path>',
  description: 'stealth: cgroup v2 directory to attach to (default: the root of the cgroup2 mount)',
  env: 'FAULT_CGROUP_PATH',
};

function defaultWorkerCount(): number {
  return Math.min(availableParallelism(), MAX_WORKERS);
}

/**
 * Adds `run` (with its hidden `proxy` alias) to `parent`. Both call `onRun` with the `run`
 * command, whose options hold the values. Options must precede `proxy`, as in the original.
 */
export function registerRunCommand(parent: Command, onRun: (run: Command) => Promise<void> | void): Command {
  const run = parent
    .command('run')
    .description('run the fault-injection proxy')
    .usage('[options]')
    .helpCommand(false)
    .action(() => onRun(run));
  addOptions(run, [proxyAddress, disableHttpProxy, proxyMapping, upstream, duration, workers, seed, connectTimeout, drainTimeout], 'Proxy options:');
  addOptions(run, [noUi, tail, report, metricsAddress], 'UI and reporting options:');
  addOptions(run, [stealth, captureProcess, ebpfProxyIp, ebpfProxyPort, ebpfProxyIface, cgroupPath], 'Stealth mode (eBPF):');
  for (const group of faultFlagGroups) {
    addOptions(run, optionsOf(group), `${capitalise(group.id)} fault:`);
  }
  run.command('proxy', { hidden: true }).description('same as run').action(() => onRun(run));
  return run;
}

/** The `run` action: build the configuration, then run the engine and keep its exit status. */
export async function runProxy(run: Command, context: CommandContext): Promise<void> {
  const logging = context.logging();
  const config = runConfigFromOptions(new OptionReader(run, context.env), context.warn);
  config.otel = logging.withOtel;
  // Loaded here so `--help`/`--version` stay fast and independent of the engine.
  const { runEngine } = await import('../engine/engine');
  context.exitCode = await runEngine(config, logging);
}

/**
 * Parses `run` arguments (what follows `run` on the command line) against `env` into a
 * RunConfig without running anything. Throws UsageError on any invalid input.
 */
export function buildRunConfig(
  argv: readonly string[],
  env: Environment = process.env,
  warn: (message: string) => void = () => undefined,
): RunConfig {
  const parent = new Command('fault').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  let config: RunConfig | undefined;
  registerRunCommand(parent, (run) => {
    config = runConfigFromOptions(new OptionReader(run, env), warn);
  });
  try {
    parent.parse(['run', ...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(error.message.replace(/^error: /, ''));
    throw error;
  }
  if (config === undefined) throw new UsageError('no configuration was built (was --help given?)');
  return config;
}

/** Turns the values of a parsed `run` command into a validated RunConfig. */
export function runConfigFromOptions(reader: OptionReader, warn: (message: string) => void): RunConfig {
  const durationMs = reader.value(duration, positiveDuration);
  const upstreamValues = reader.list(upstream);
  const config: RunConfig = {
    proxyAddress: reader.valueOrDefault(proxyAddress, parseListenAddress),
    disableHttpProxy: reader.flag(disableHttpProxy),
    mappings: (reader.list(proxyMapping)?.values ?? []).map((text) =>
      parseAs({ text, origin: '--proxy' }, parsePortMapping),
    ),
    upstreams: (upstreamValues?.values ?? []).flatMap((text) =>
      parseAs({ text, origin: upstreamValues?.origin ?? '--upstream' }, (value) => parseUpstreams([value])),
    ),
    upstreamsText: (upstreamValues?.values ?? []).flatMap(splitCommaList),
    durationMs,
    workers: reader.valueOrDefault(workers, (text) => parseIntegerInRange(text, 1, MAX_WORKERS)),
    noUi: reader.flag(noUi),
    tail: reader.flag(tail),
    reportPath: reader.value(report, parseReportPath),
    metricsAddress: reader.value(metricsAddress, parseListenAddress),
    faults: faultFlagGroups
      .map((group) => configuredFaultFrom(group, reader, { runDurationMs: durationMs, warn }))
      .filter((fault): fault is ConfiguredFault => fault !== undefined),
    seed: reader.value(seed, (text) => parseIntegerInRange(text, 0, MAX_SEED)),
    connectTimeoutMs: reader.valueOrDefault(connectTimeout, positiveDuration),
    drainTimeoutMs: reader.valueOrDefault(drainTimeout, parseDuration),
    stealth: stealthFromOptions(reader, warn),
  };
  checkListeners(config);
  return config;
}

function stealthFromOptions(reader: OptionReader, warn: (message: string) => void): StealthConfig | undefined {
  const name = reader.value(captureProcess, (text) => {
    if (text.trim() === '') throw new InvalidValueError('The process name must not be empty (it would capture every process).');
    return text;
  });
  const extras = [ebpfProxyIp, ebpfProxyPort, ebpfProxyIface, cgroupPath].filter((spec) => reader.raw(spec) !== undefined);
  if (!reader.flag(stealth)) {
    if (name !== undefined || extras.length > 0) {
      const given = name !== undefined ? '--capture-process' : extras[0].flags.split(' ')[0];
      throw new UsageError(`${given} only applies with --stealth.`);
    }
    return undefined;
  }
  if (name === undefined) throw new UsageError('--stealth needs --capture-process NAME (the processes to capture).');
  if (Buffer.byteLength(name) > COMM_MAX) {
    warn(`--capture-process ${name}: the kernel keeps only ${COMM_MAX} bytes of a process name; matching on '${name.slice(0, COMM_MAX)}'`);
  }
  return {
    processName: Buffer.from(name).subarray(0, COMM_MAX).toString(),
    proxyIp: reader.value(ebpfProxyIp, (text) => {
      if (!isIPv4(text)) throw new InvalidValueError(`'${text}' is not an IPv4 address (stealth mode is IPv4 only).`);
      return text;
    }),
    proxyPort: reader.value(ebpfProxyPort, (text) => parseIntegerInRange(text, 1, 65535)) ?? 0,
    iface: reader.value(ebpfProxyIface, (text) => text),
    cgroupPath: reader.value(cgroupPath, (text) => text),
  };
}

const REPORT_EXTENSIONS = ['.json', '.md', '.markdown', '.html', '.htm'];

/** The format comes from the extension, checked now rather than after a long run. */
function parseReportPath(text: string): string {
  const lower = text.toLowerCase();
  if (!REPORT_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
    throw new InvalidValueError(`Report '${text}' must end in .json, .md or .html (the format follows the extension).`);
  }
  // Found out now, not after a long run whose report then has nowhere to go.
  const file = path.resolve(text);
  const dir = path.dirname(file);
  let dirOk = false;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    dirOk = fs.statSync(dir).isDirectory();
  } catch {
    dirOk = false;
  }
  if (!dirOk) throw new InvalidValueError(`Report '${text}': ${dir} is not a writable directory.`);
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InvalidValueError(`Report '${text}' is a directory; give a file name.`);
  }
  return text;
}

function positiveDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new InvalidValueError(`Duration '${text}' must be greater than zero.`);
  return ms;
}

function splitCommaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function checkListeners(config: RunConfig): void {
  if (config.disableHttpProxy && config.mappings.length === 0) {
    throw new UsageError('--disable-http-proxy: nothing left to run; add at least one --proxy mapping.');
  }
  for (const mapping of config.mappings) {
    if (reaches(mapping, mapping)) {
      throw new UsageError(`--proxy ${mapping.source}: the remote is the mapping's own listen address; every connection would loop back into it.`);
    }
  }
  const cycle = mappingCycle(config.mappings);
  if (cycle) {
    throw new UsageError(
      `--proxy ${cycle.map((m) => m.source).join(' -> ')}: these mappings lead back into each other; every connection would loop until descriptors run out.`,
    );
  }
  const listeners: NamedListener[] = config.mappings.map((mapping) => ({
    name: `--proxy ${mapping.source}`,
    address: mapping.listen,
  }));
  if (!config.disableHttpProxy) {
    const { host, port } = config.proxyAddress;
    listeners.unshift({ name: `--proxy-address ${formatHostPort(host, port)}`, address: config.proxyAddress });
  }
  const conflict = findListenConflict(listeners);
  if (conflict !== undefined) throw new UsageError(conflict);
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::']);

/** A mapping whose remote is its own listener (same port, same or a loopback/wildcard host). */
type Mapping = RunConfig['mappings'][number];

/** Whether `from`'s remote is `to`'s listen address (a connection to one lands on the other). */
function reaches(from: Mapping, to: Mapping): boolean {
  const { listen } = to;
  const { remote } = from;
  if (listen.port === 0 || listen.port !== remote.port) return false;
  return listen.host === remote.host || (LOOPBACK_NAMES.has(listen.host) && LOOPBACK_NAMES.has(remote.host));
}

/** Mappings that chain into each other in a circle (A -> B -> A), if any; chains that end are fine. */
function mappingCycle(mappings: readonly Mapping[]): Mapping[] | undefined {
  for (const start of mappings) {
    const path: Mapping[] = [start];
    for (let next = mappings.find((m) => reaches(start, m)); next !== undefined; next = mappings.find((m) => reaches(next!, m))) {
      if (next === start) return [...path, start];
      if (path.includes(next)) break; // a circle that does not pass through start: found from its own members
      path.push(next);
    }
  }
  return undefined;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
