// A `--proxy` TCP port mapping: every accepted connection is relayed to one fixed remote,
// optionally over TLS, through the fault pipeline. Faults always apply here (the --upstream
// list only filters the HTTP proxy).
import type * as net from 'node:net';
import type { PortMapping } from '../config/types';
import type { ExchangeOutcome, ShardContext } from './shard-context';
import { resetSocket } from './socket-io';
import { StreamConnection, relayStreams } from './stream-relay';
import { connectUpstream } from './upstream-connect';

export function handleMappedConnection(context: ShardContext, mapping: PortMapping, client: net.Socket): void {
  const stats = context.stats;
  context.track(client);
  const start = context.beginExchange();
  client.setNoDelay(true);

  const connection = new StreamConnection(client);
  const faults = context.attachFaults(connection);
  const end = (outcome: Partial<ExchangeOutcome>, endWheelMs?: number) =>
    context.endExchange(start, {
      protocol: 'tcp', method: 'TCP', target: mapping.source, status: 0, bytesToUpstream: 0, bytesToClient: 0,
      passthrough: false, faults: faults.tally.kinds, injectedMs: faults.tally.injectedMs, ...outcome,
    }, endWheelMs);

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
        context.release(faults);
        // Refused, unreachable, unresolvable or too slow: the client sees a reset, like it
        // would talking to the remote directly.
        resetSocket(client);
        end({ error: error ? `${mapping.remote.host}:${mapping.remote.port}: ${error.message}` : 'the client left before the remote answered' });
        return;
      }
      // No fault now means none ever on this connection: the native relay can carry it.
      if (faults.none && !mapping.remoteTls) {
        const native = context.relayNatively(client, upstream, end);
        if (native) return;
      }
      connection.upstream = upstream;
      relayStreams(context, connection, faults, (result) => {
        stats.counters.bytesToUpstream += result.bytesToUpstream;
        stats.counters.bytesToClient += result.bytesToClient;
        end({ bytesToUpstream: result.bytesToUpstream, bytesToClient: result.bytesToClient, error: result.error?.message });
      });
      client.resume();
    },
  );
}
