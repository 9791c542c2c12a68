// Loader for the optional native addon (native/fault_native.c, built by scripts/build-native.js
// into build/Release/fault_native.node). Without it fault runs with a single shard.
//
// Fd ownership rules for the engine (verified by test/native.test.ts):
//  - A fd from openReusePortListeners() can be handed to a worker thread and listened on there
//    with `server.listen({ fd }, backlog, cb)` (net or http). Node 20 ignores `options.backlog`
//    when `fd` is given: pass the backlog as the second argument, otherwise it becomes 511.
//  - Once the worker has called listen({ fd }), the worker owns the fd: closing that server, an
//    uncaught exception in the worker, process.exit() in it or worker.terminate() all close the
//    fd. Never closeFd() it from the main thread afterwards: fd numbers are recycled at once and
//    you would close somebody else's socket.
//  - A restarted shard needs a fresh socket: openReusePortListeners(host, port, 1, backlog, false)
//    (probe=false, since the surviving shards hold the port and the probe would see EADDRINUSE).
//  - A fd handed to a worker that never reached listen() is NOT closed when that worker exits.
//  - Connections waiting in a closed shard's accept queue are reset (unless the sysctl
//    net.ipv4.tcp_migrate_req=1); new connections go to the remaining shards.

import * as path from 'node:path';

export interface OriginalDst {
  address: string;
  port: number;
}

/** A system error thrown by the addon: `code` is the errno name, `errno` its negation. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

export interface NativeAddon {
  /**
   * Opens `count` listening sockets on `host:port` (IP literal, IPv6 without brackets), each with
   * SO_REUSEADDR + SO_REUSEPORT, non-blocking and close-on-exec, IPV6_V6ONLY for IPv6, listening
   * with `backlog` (<= 0 means 511). Port 0 picks one ephemeral port shared by all of them.
   * With `probe` (default true) a plain bind without SO_REUSEPORT is tried first, so a port held
   * by anyone (even another SO_REUSEPORT group) fails with EADDRINUSE. Pass probe=false only to
   * add members to a group of ours that is still alive. Throws a NativeError, leaving nothing
   * open, e.g. code 'EADDRINUSE', message "listen 127.0.0.1:8080: Address already in use".
   */
  openReusePortListeners(host: string, port: number, count: number, backlog: number, probe?: boolean): number[];
  /** The port a socket is bound to (getsockname). */
  localPort(fd: number): number;
  /** close(2). Only for fds no worker has listened on. */
  closeFd(fd: number): void;
  /** Pre-NAT destination of a connection redirected by netfilter (SO_ORIGINAL_DST). */
  getOriginalDst(fd: number): OriginalDst;
  /**
   * Native relay (native/fault_relay.c), one relay thread per thread that loaded the addon.
   * relayAdd dups both fds (the caller then destroys its sockets without a reset) and relays
   * between them; the buffers are bytes Node already read from each socket, sent first.
   * False when it could not take them (the caller keeps relaying itself).
   */
  relayAdd(id: number, clientFd: number, upstreamFd: number, clientBytes?: Buffer, upstreamBytes?: Buffer): boolean;
  /** Connections the relay finished since the last call. */
  relayCollect(): NativeRelayFinished[];
  /** Connections handed over and not yet collected. */
  relayOpenCount(): number;
  /** Closes every relayed connection (plain close, like destroy()); they show up in relayCollect. */
  relayCloseAll(): void;
}

export interface NativeRelayFinished {
  id: number;
  bytesToUpstream: number;
  bytesToClient: number;
  /** Time from relayAdd to the close. */
  elapsedMs: number;
  /** Set when a socket error ended the connection ('read', 'write', or 'socket' for an error the kernel reported on the socket; and the errno name). */
  errorOp?: 'read' | 'write' | 'socket';
  errorCode?: string;
}

export type NativeLoadResult = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

/** dist/src/engine/native.js -> <repo>/build/Release/fault_native.node */
export const NATIVE_ADDON_PATH = path.resolve(__dirname, '..', '..', '..', 'build', 'Release', 'fault_native.node');

const EXPORTS: ReadonlyArray<keyof NativeAddon> = [
  'openReusePortListeners', 'localPort', 'closeFd', 'getOriginalDst',
  'relayAdd', 'relayCollect', 'relayOpenCount', 'relayCloseAll',
];

let cached: NativeLoadResult | undefined;

function disabledByEnv(): boolean {
  const v = (process.env.FAULT_DISABLE_NATIVE ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no';
}

function tryLoad(): NativeLoadResult {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `SO_REUSEPORT sharding is Linux-only (platform is ${process.platform})` };
  }
  let mod: unknown;
  try {
    mod = require(NATIVE_ADDON_PATH) as unknown;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e && e.code === 'MODULE_NOT_FOUND') {
      return { ok: false, reason: `native addon not built (${NATIVE_ADDON_PATH} missing; run npm run build:native)` };
    }
    return { ok: false, reason: `native addon failed to load: ${e && e.message ? e.message : String(err)}` };
  }
  const missing = EXPORTS.filter((name) => typeof (mod as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `native addon is stale (missing ${missing.join(', ')}); rebuild with FAULT_NATIVE_REBUILD=1 npm run build:native` };
  }
  return { ok: true, addon: mod as NativeAddon };
}

/**
 * Loads the addon once per thread (the result, success or failure, is cached).
 * FAULT_DISABLE_NATIVE=1 makes it report `{ ok: false }`; it is checked on every call so tests
 * can toggle it.
 */
export function loadNative(): NativeLoadResult {
  if (disabledByEnv()) return { ok: false, reason: 'disabled by FAULT_DISABLE_NATIVE' };
  if (cached === undefined) cached = tryLoad();
  return cached;
}
