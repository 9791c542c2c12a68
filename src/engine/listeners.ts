// Opens the listening sockets of a run: for every address (the HTTP proxy, each --proxy
// mapping) one SO_REUSEPORT socket per shard, so the kernel spreads connections across
// shards. Without the native addon, one shard binds each address itself.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ListenAddress, RunConfig } from '../config/types';
import type { ListenerRole, ShardListener } from './protocol';
import { type NativeAddon, loadNative } from './native';

export interface ListenPoint {
  role: ListenerRole;
  /** What the user asked for, e.g. 127.0.0.1:3180. */
  requested: ListenAddress;
  /** The IP literal we bind. */
  host: string;
  /** The real port (differs from requested when 0 was asked and the addon bound it). */
  port: number;
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const BACKLOG = 1024;

export function listenPointsOf(config: RunConfig): Array<{ role: ListenerRole; address: ListenAddress }> {
  const points: Array<{ role: ListenerRole; address: ListenAddress }> = [];
  if (!config.disableHttpProxy) points.push({ role: { kind: 'http-proxy' }, address: config.proxyAddress });
  config.mappings.forEach((mapping, mappingIndex) =>
    points.push({ role: { kind: 'mapping', mappingIndex }, address: mapping.listen }),
  );
  // The engine settles the stealth address (interface, default IP) before opening listeners.
  if (config.stealth?.proxyIp !== undefined) {
    points.push({ role: { kind: 'stealth' }, address: { host: config.stealth.proxyIp, port: config.stealth.proxyPort } });
  }
  return points;
}

async function resolveBindHost(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    throw new ListenError(`cannot listen on ${host}: the name does not resolve`, 'ENOTFOUND');
  }
}

/** Sockets for every shard, plus what to show the user. fds[shard][i] matches points[i]. */
export interface ListenPlan {
  points: ListenPoint[];
  perShard: ShardListener[][];
  /** Set when there is no addon: the number of shards had to be reduced to one. */
  fallbackReason?: string;
}

export async function openListeners(config: RunConfig, shards: number): Promise<ListenPlan> {
  const wanted = listenPointsOf(config);
  const points: ListenPoint[] = [];
  for (const { role, address } of wanted) {
    points.push({ role, requested: address, host: await resolveBindHost(address.host), port: address.port });
  }
  const native = loadNative();
  if (!native.ok) {
    return {
      points,
      perShard: [points.map((p) => ({ role: p.role, host: p.host, port: p.port }))],
      fallbackReason: native.reason,
    };
  }
  const perShard: ShardListener[][] = Array.from({ length: shards }, () => []);
  const opened: number[] = [];
  try {
    for (const point of points) {
      const fds = openGroup(native.addon, point, shards, true);
      opened.push(...fds);
      point.port = native.addon.localPort(fds[0]);
      fds.forEach((fd, shard) => perShard[shard].push({ role: point.role, fd }));
    }
  } catch (error) {
    for (const fd of opened) native.addon.closeFd(fd);
    throw error;
  }
  return { points, perShard };
}

/** Fresh sockets joining the existing groups, for a shard restarted after a crash. */
export function reopenForShard(plan: ListenPlan): ShardListener[] {
  const native = loadNative();
  if (!native.ok) return plan.points.map((p) => ({ role: p.role, host: p.host, port: p.port }));
  return plan.points.map((point) => ({ role: point.role, fd: openGroup(native.addon, point, 1, false)[0] }));
}

function openGroup(addon: NativeAddon, point: ListenPoint, count: number, probe: boolean): number[] {
  try {
    return addon.openReusePortListeners(point.host, point.port, count, BACKLOG, probe);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const shown = isIP(point.host) === 6 ? `[${point.host}]:${point.port}` : `${point.host}:${point.port}`;
    const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.message;
    throw new ListenError(`cannot listen on ${shown}: ${why}`, err.code);
  }
}
