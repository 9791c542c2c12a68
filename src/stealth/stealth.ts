// Stealth mode, user-space side: where the stealth listener goes, whether this machine can run
// it (one preflight message listing everything missing), and the eBPF attachment through the
// fault_stealth addon (native/fault_stealth.c). The main thread owns the BPF links: they are
// process-wide fds, so they outlive a crashed shard and die with the process, even on SIGKILL.
import { existsSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { networkInterfaces, release } from 'node:os';
import * as path from 'node:path';
import type { StealthConfig } from '../config/types';
import { loadNative } from '../engine/native';

const BUILD_DIR = path.resolve(__dirname, '..', '..', '..', 'build');
/** dist/src/stealth/stealth.js -> <repo>/build/... */
export const STEALTH_ADDON_PATH = path.join(BUILD_DIR, 'Release', 'fault_stealth.node');
export const STEALTH_OBJECT_PATH = path.join(BUILD_DIR, 'bpf', 'fault_stealth.bpf.o');
const OBJECT_UNAVAILABLE_FILE = path.join(BUILD_DIR, 'bpf', 'UNAVAILABLE');

/** Longest process name the kernel keeps (TASK_COMM_LEN - 1). */
export const COMM_MAX = 15;

export interface StealthInstance {
  pid: number;
  comm: string;
  proxyIp: string;
  proxyPort: number;
}

interface StealthAddon {
  attach(options: { object: string; cgroup: string; comm: string; proxyIp: string; proxyPort: number; scopeToNetns: boolean }): {
    programs: Array<{ name: string; id?: number }>;
    scopedToNetns: boolean;
  };
  detach(): void;
  others(cgroup: string): StealthInstance[];
  libbpfVersion(): string;
}

export class StealthError extends Error {}

let addon: StealthAddon | undefined;

function loadAddon(): { ok: true; addon: StealthAddon } | { ok: false; reason: string } {
  if (addon) return { ok: true, addon };
  if (!existsSync(STEALTH_ADDON_PATH)) {
    return {
      ok: false,
      reason: `the stealth addon ${STEALTH_ADDON_PATH} was not built (libbpf-dev was missing at build time: install libbpf-dev, then FAULT_NATIVE_REBUILD=1 npm run build:native)`,
    };
  }
  try {
    addon = require(STEALTH_ADDON_PATH) as StealthAddon;
    if (typeof addon.others !== 'function') throw new Error('stale build (no others()); rebuild with FAULT_NATIVE_REBUILD=1 npm run build:native');
    return { ok: true, addon };
  } catch (error) {
    addon = undefined;
    return { ok: false, reason: `the stealth addon does not load (is libbpf1 installed?): ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The mount point of the (first) cgroup v2 hierarchy, from /proc/mounts. */
export function findCgroup2Mount(mounts: string = readMounts()): string | undefined {
  for (const line of mounts.split('\n')) {
    const fields = line.split(' ');
    if (fields[2] === 'cgroup2') return unescapeMount(fields[1]);
  }
  return undefined;
}

/** The file system type of the mount that holds `dir` (the longest mount point above it). */
export function mountTypeOf(dir: string, mounts: string = readMounts()): string | undefined {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return undefined;
  }
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 3) continue;
    const point = unescapeMount(fields[1]);
    const inside = point === '/' || real === point || real.startsWith(`${point}/`);
    // Later lines win at equal length: they are mounted on top.
    if (inside && (!best || point.length >= best.point.length)) best = { point, type: fields[2] };
  }
  return best?.type;
}

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function readMounts(): string {
  try {
    return readFileSync('/proc/mounts', 'utf8');
  } catch {
    return '';
  }
}

/** Effective capabilities of this process, from /proc/self/status. */
function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

const CAPS: Array<[string, number]> = [['CAP_NET_ADMIN', 12], ['CAP_SYS_ADMIN', 21], ['CAP_BPF', 39]];

function kernelAtLeast(major: number, minor: number, text: string = release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(text);
  if (!m) return true;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/** The IPv4 address the stealth listener binds, from --ebpf-proxy-iface / --ebpf-proxy-ip. */
export function stealthAddress(stealth: StealthConfig): string {
  const interfaces = networkInterfaces();
  if (stealth.iface !== undefined) {
    const entries = interfaces[stealth.iface];
    if (!entries) {
      throw new StealthError(`--ebpf-proxy-iface ${stealth.iface}: no such interface (have: ${Object.keys(interfaces).join(', ')})`);
    }
    const v4 = entries.find((e) => e.family === 'IPv4');
    if (!v4) throw new StealthError(`--ebpf-proxy-iface ${stealth.iface}: the interface has no IPv4 address`);
    if (stealth.proxyIp !== undefined && stealth.proxyIp !== v4.address) {
      throw new StealthError(`--ebpf-proxy-ip ${stealth.proxyIp} is not the IPv4 address of --ebpf-proxy-iface ${stealth.iface} (${v4.address})`);
    }
    return v4.address;
  }
  const ip = stealth.proxyIp ?? '127.0.0.1';
  if (!isIPv4(ip)) throw new StealthError(`--ebpf-proxy-ip ${ip}: stealth mode needs an IPv4 address`);
  if (ip === '0.0.0.0') throw new StealthError('--ebpf-proxy-ip 0.0.0.0: redirected connections need one concrete address');
  const local = ip.startsWith('127.') || Object.values(interfaces).some((list) => list?.some((e) => e.address === ip));
  if (!local) throw new StealthError(`--ebpf-proxy-ip ${ip}: no interface of this machine has that address`);
  return ip;
}

/**
 * Everything stealth mode needs that this machine lacks; empty when it can run. The cgroup
 * is resolved too (the --cgroup-path override, else the cgroup v2 mount's root).
 */
export function preflight(stealth: StealthConfig): { missing: string[]; cgroup?: string } {
  const missing: string[] = [];
  if (process.platform !== 'linux') return { missing: [`Linux (this is ${process.platform})`] };
  // Capabilities, not the uid: root in a container has none of these unless they are added.
  const caps = effectiveCaps();
  const lacking = CAPS.filter(([, bit]) => (caps & (1n << BigInt(bit))) === 0n).map(([name]) => name);
  if (lacking.length > 0) {
    missing.push(
      process.getuid?.() === 0
        ? `privileges: root, but without ${lacking.join(', ')} (in a container: --cap-add ${lacking.map((c) => c.slice(4)).join(' --cap-add ')})`
        : `privileges: run as root or with ${lacking.join(', ')} (missing)`,
    );
  }
  if (!kernelAtLeast(5, 7)) {
    missing.push(`kernel support: Linux 5.7 or later is needed for cgroup BPF links and the getsockopt hook (this is ${release()})`);
  } else if (!existsSync('/sys/fs/bpf') && !existsSync('/proc/sys/net/core/bpf_jit_enable')) {
    missing.push('kernel support: this kernel does not seem to have BPF enabled (no /sys/fs/bpf, no bpf_jit_enable)');
  }
  let cgroup: string | undefined = stealth.cgroupPath;
  const mount = findCgroup2Mount();
  if (cgroup === undefined) {
    if (mount === undefined) missing.push('cgroup v2: no cgroup2 file system in /proc/mounts (mount one, or pass --cgroup-path)');
    cgroup = mount;
  } else if (!existsSync(cgroup)) {
    missing.push(`cgroup v2: --cgroup-path ${cgroup} does not exist`);
  } else if (mountTypeOf(cgroup) !== 'cgroup2') {
    missing.push(`cgroup v2: --cgroup-path ${cgroup} is not in a cgroup2 file system (it is on ${mountTypeOf(cgroup) ?? 'an unknown file system'})`);
  }
  if (!existsSync(STEALTH_OBJECT_PATH)) {
    let why = 'clang was not available at build time';
    try {
      why = readFileSync(OBJECT_UNAVAILABLE_FILE, 'utf8').trim();
    } catch {
      // no recorded reason
    }
    missing.push(`the compiled eBPF programs ${STEALTH_OBJECT_PATH} (${why}; install clang llvm libbpf-dev linux-libc-dev and rebuild)`);
  }
  const loaded = loadAddon();
  if (!loaded.ok) missing.push(`libbpf: ${loaded.reason}`);
  const native = loadNative();
  if (!native.ok) missing.push(`the native addon for SO_ORIGINAL_DST: ${native.reason}`);
  return { missing, cgroup };
}

/**
 * A loopback stealth listener is reachable only from fault's own network namespace, so only
 * connects made there are redirected: a captured process elsewhere (the host, when fault runs in
 * a container without --network host) would otherwise be sent to a 127.0.0.1 where nothing
 * listens. A listener on a routable address captures in every namespace.
 */
export function listensOnLoopback(proxyIp: string): boolean {
  return proxyIp.startsWith('127.');
}

/** True when fault runs in another network namespace than pid 1 (a container, an `ip netns`). */
export function outsideInitNetns(): boolean {
  try {
    return readlinkSync('/proc/self/ns/net') !== readlinkSync('/proc/1/ns/net');
  } catch {
    return false; // cannot see pid 1's namespace (no --pid=host): nothing to compare
  }
}

/** Whether two capture names would both match one process: one is a prefix of the other. */
export function namesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * Attaches the programs to `cgroup`, redirecting `processName*` to ip:port. Refuses a name that
 * overlaps one captured by another fault process (both would rewrite the same connects).
 */
export function attachStealth(
  stealth: StealthConfig & { cgroupPath: string; proxyIp: string },
  port: number,
): { programs: string[]; scopedToNetns: boolean } {
  const loaded = loadAddon();
  if (!loaded.ok) throw new StealthError(loaded.reason);
  const name = stealth.processName.slice(0, COMM_MAX);
  let current: StealthInstance[] = [];
  try {
    current = loaded.addon.others(stealth.cgroupPath);
  } catch {
    // cannot tell (old kernel?): attach anyway
  }
  const clash = current.find((other) => other.pid !== process.pid && namesOverlap(other.comm, name));
  if (clash) {
    throw new StealthError(
      `another fault process (pid ${clash.pid}) already captures processes named ${clash.comm}* ` +
        `(stealth listener ${clash.proxyIp}:${clash.proxyPort}); ${name}* overlaps it. ` +
        'Stop it or capture a name that is not a prefix of the other.',
    );
  }
  try {
    const result = loaded.addon.attach({
      object: STEALTH_OBJECT_PATH, cgroup: stealth.cgroupPath, comm: name, proxyIp: stealth.proxyIp, proxyPort: port,
      scopeToNetns: listensOnLoopback(stealth.proxyIp),
    });
    return {
      programs: result.programs.map((p) => (p.id === undefined ? p.name : `${p.name}#${p.id}`)),
      scopedToNetns: result.scopedToNetns,
    };
  } catch (error) {
    throw new StealthError(`cannot attach the stealth eBPF programs: ${(error as Error).message}`);
  }
}

/** Detaches and unloads (idempotent). Exiting does the same, whatever the cause. */
export function detachStealth(): void {
  addon?.detach();
}

/** Preflight and address resolution: the config with the stealth listener IP and cgroup settled. */
export function resolveStealth<T extends { stealth?: StealthConfig }>(config: T): T {
  if (!config.stealth) return config;
  const { missing, cgroup } = preflight(config.stealth);
  if (missing.length > 0 || cgroup === undefined) {
    throw new StealthError(`stealth mode is unavailable on this machine:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  }
  return { ...config, stealth: { ...config.stealth, proxyIp: stealthAddress(config.stealth), cgroupPath: cgroup } };
}
