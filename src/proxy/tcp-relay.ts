// A `--proxy` TCP port mapping: every accepted connection is relayed to one fixed remote,
// optionally over TLS, through the fault pipeline. Faults always apply here (the --upstream
// list only filters the HTTP proxy).
import * as net from 'node:net';
import type { PortMapping } from '../config/types';
import { connectUpstream } from './upstream-connect';
import type { ShardContext } from './shard-context';
import { relayStreams } from './stream-relay';
import { resetSocket } from './socket-io';

export function handleMappedConnection(context: ShardContext, mapping: PortMapping, client: net.Socket): void {
  const started = context.wheel.now();
  const stats = context.stats;
  context.track(client);
  stats.counters.exchanges++;
  client.setNoDelay(true);

  const stages = context.stagesForNewExchange();
  if (stages.toUpstream.length + stages.toClient.length > 0) stats.counters.faulted++;

  // Until the remote answers, the client's bytes stay in its socket buffer.
  client.pause();
  const clientErrorBeforeConnect = () => upstream.destroy();
  client.once('error', clientErrorBeforeConnect);
  client.once('close', clientErrorBeforeConnect);

  const upstream = connectUpstream(
    { host: mapping.remote.host, port: mapping.remote.port, tls: mapping.remoteTls },
    context.config.connectTimeoutMs,
    (error) => {
      client.off('error', clientErrorBeforeConnect);
      client.off('close', clientErrorBeforeConnect);
      if (error) {
        stats.counters.errors++;
        // Refused, unreachable, unresolvable or too slow: the client sees a reset, like it
        // would talking to the remote directly.
        resetSocket(client);
        return;
      }
      relayStreams(context, client, upstream, stages, (result) => {
        stats.counters.bytesToUpstream += result.bytesToUpstream;
        stats.counters.bytesToClient += result.bytesToClient;
        if (result.error) stats.counters.errors++;
        stats.exchangeFinished(context.wheel.now() - started);
      });
      client.resume();
    },
  );
}
