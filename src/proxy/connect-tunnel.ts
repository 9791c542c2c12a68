// CONNECT host:port — an opaque tunnel. We answer 200 only once the upstream connection is up
// (502 when it is refused or the name does not resolve, 504 on connect timeout), then relay
// bytes through the stream fault pipeline (the dns fault can fail the name lookup first). Bytes the client sent right behind the CONNECT head
// are kept and delivered first.
import type { IncomingMessage } from 'node:http';
import { type Socket, isIP } from 'node:net';
import { matchesUpstream } from '../config/upstream';
import { NO_FAULTS } from '../faults/registry';
import { injectedDnsFailure, upstreamFailure, writeRawFailure } from './http-errors';
import { BadTargetError, targetFromConnectAuthority } from './http-target';
import type { ShardContext } from './shard-context';
import { StreamConnection, relayStreams } from './stream-relay';
import { connectUpstream } from './upstream-connect';

export function handleConnect(context: ShardContext, req: IncomingMessage, client: Socket, head: Buffer): void {
  const stats = context.stats;
  const started = context.wheel.now();
  stats.counters.exchanges++;
  // Errors show up through 'close'; a client that resets must never crash the shard, whatever
  // state the tunnel is in (even after an early 400/502 answer).
  client.on('error', () => {});
  let target: { host: string; port: number };
  try {
    target = targetFromConnectAuthority(req.url ?? '');
  } catch (error) {
    stats.counters.errors++;
    writeRawFailure(client, { status: 400, message: (error as BadTargetError).message });
    return;
  }
  const faulted = matchesUpstream(context.config.upstreams, target.host, target.port);
  if (faulted) stats.counters.faulted++;
  else stats.counters.passthrough++;
  const connection = new StreamConnection(client);
  const faults = faulted ? context.attachFaults(connection) : NO_FAULTS;

  client.setNoDelay(true);
  if (isIP(target.host) === 0 && faults.failsResolution(target.host)) {
    stats.counters.errors++;
    context.release(faults);
    writeRawFailure(client, injectedDnsFailure(target.host));
    stats.exchangeFinished(context.wheel.now() - started);
    return;
  }
  const abandon = () => upstream.destroy();
  client.once('close', abandon);

  const upstream = connectUpstream(target, context.config.connectTimeoutMs, (error) => {
    client.off('close', abandon);
    if (error) {
      stats.counters.errors++;
      context.release(faults);
      writeRawFailure(client, upstreamFailure(error as NodeJS.ErrnoException, `CONNECT target ${req.url}`));
      stats.exchangeFinished(context.wheel.now() - started);
      return;
    }
    if (client.destroyed) {
      context.release(faults);
      upstream.destroy();
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    connection.upstream = upstream;
    relayStreams(
      context,
      connection,
      faults,
      (result) => {
        stats.counters.bytesToUpstream += result.bytesToUpstream;
        stats.counters.bytesToClient += result.bytesToClient;
        if (result.error) stats.counters.errors++;
        stats.exchangeFinished(context.wheel.now() - started);
      },
      head,
    );
  });
}
