// A connection redirected by the stealth eBPF programs: its original destination comes from
// getsockopt(SO_ORIGINAL_DST) (answered by our cgroup/getsockopt program), then it is relayed
// like a TCP mapping to that destination, through the configured faults.
import type * as net from 'node:net';
import type { PortMapping } from '../config/types';
import { loadNative } from '../engine/native';
import type { ShardContext } from './shard-context';
import { resetSocket } from './socket-io';
import { handleMappedConnection } from './tcp-relay';

/** The OS fd of an accepted socket (libuv's TCP handle keeps it; not part of Node's public API). */
function fdOf(socket: net.Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } })._handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
}

export function handleStealthConnection(context: ShardContext, client: net.Socket): void {
  const native = loadNative();
  const fd = fdOf(client);
  let remote: { host: string; port: number } | undefined;
  if (native.ok && fd !== undefined) {
    try {
      const dst = native.addon.getOriginalDst(fd);
      remote = { host: dst.address, port: dst.port };
    } catch {
      remote = undefined;
    }
  }
  if (remote === undefined) {
    // Not one of ours (e.g. a direct connection to the stealth port): nowhere to relay it.
    context.stats.counters.errors++;
    resetSocket(client);
    return;
  }
  const local = client.address() as net.AddressInfo;
  const mapping: PortMapping = {
    source: `${remote.host}:${remote.port}`,
    listen: { host: local.address, port: local.port },
    listenProtocol: 'tcp',
    remote,
    remoteTls: false,
  };
  handleMappedConnection(context, mapping, client);
}
