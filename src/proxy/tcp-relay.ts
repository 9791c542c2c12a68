// A `--proxy` TCP port mapping: every accepted connection is relayed to one fixed remote,
// optionally over TLS, through the fault pipeline. Faults always apply here (the --upstream
// list only filters the HTTP proxy).
import type * as net from 'node:net';
import type { PortMapping } from '../config/types';
import type { ShardContext } from './shard-context';
import { resetSocket } from './socket-io';
import { StreamConnection, relayStreams } from './stream-relay';
import { connectUpstream } from './upstream-connect';

export function handleMappedConnection(context: ShardContext, mapping: PortMapping, client: net.Socket): void {
  const started = context.wheel.now();
  const stats = context.stats;
  context.track(client);
  stats.counters.exchanges++;
  client.setNoDelay(true);

  const connection = new StreamConnection(client);
  const faults = context.attachFaults(connection);
  if (faults.affectsStreams) stats.counters.faulted++;

  // Until the remote answers, the client's bytes stay in its socket buffer.
  client.pause();
  const giveUp = () => upstream.destroy();
  client.once('error', giveUp);
  client.once('close', giveUp);

  const upstream = connectUpstream(
    { host: mapping.remote.host, port: mapping.remote.port, tls: mapping.remoteTls },
    context.config.connectTimeoutMs,
    (error) => {
      client.off('error', giveUp);
      client.off('close', giveUp);
      if (error || client.destroyed) {
        if (error) stats.counters.errors++;
        context.release(faults);
        // Refused, unreachable, unresolvable or too slow: the client sees a reset, like it
        // would talking to the remote directly.
        resetSocket(client);
        return;
      }
      connection.upstream = upstream;
      relayStreams(context, connection, faults, (result) => {
        stats.counters.bytesToUpstream += result.bytesToUpstream;
        stats.counters.bytesToClient += result.bytesToClient;
        if (result.error) stats.counters.errors++;
        stats.exchangeFinished(context.wheel.now() - started);
      });
      client.resume();
    },
  );
}
