// CONNECT host:port — an opaque tunnel. We answer 200 only once the upstream connection is up
// (502 when it is refused or the name does not resolve, 504 on connect timeout), then relay
// bytes through the stream fault pipeline, or the native relay when no fault applies (the dns
// fault can fail the name lookup first). Bytes the client sent right behind the CONNECT head are
// kept and delivered first.
import type { IncomingMessage } from 'node:http';
import { type Socket, isIP } from 'node:net';
import { matchesUpstream } from '../config/upstream';
import { NO_FAULTS } from '../faults/registry';
import { injectedDnsFailure, upstreamFailure, writeRawFailure } from './http-errors';
import { BadTargetError, targetFromConnectAuthority } from './http-target';
import type { ExchangeOutcome, ShardContext } from './shard-context';
import { StreamConnection, relayStreams } from './stream-relay';
import { connectUpstream } from './upstream-connect';

export function handleConnect(context: ShardContext, req: IncomingMessage, client: Socket, head: Buffer): void {
  const stats = context.stats;
  const start = context.beginExchange();
  const authority = req.url ?? '';
  // Errors show up through 'close'; a client that resets must never crash the shard, whatever
  // state the tunnel is in (even after an early 400/502 answer).
  client.on('error', () => {});
  const end = (outcome: Partial<ExchangeOutcome>, endWheelMs?: number) =>
    context.endExchange(start, {
      protocol: 'connect', method: 'CONNECT', target: authority, status: 0, bytesToUpstream: 0, bytesToClient: 0,
      passthrough: !faulted, faults: faults.tally.kinds, injectedMs: faults.tally.injectedMs, ...outcome,
    }, endWheelMs);
  let faulted = false;
  let faults = NO_FAULTS;

  let target: { host: string; port: number };
  try {
    target = targetFromConnectAuthority(authority);
  } catch (error) {
    const message = (error as BadTargetError).message;
    writeRawFailure(client, { status: 400, message });
    end({ status: 400, error: message });
    return;
  }
  if (context.isOwnAddress(target.host, target.port)) {
    const message = `CONNECT ${authority} would tunnel back into this proxy`;
    writeRawFailure(client, { status: 508, message });
    end({ status: 508, error: message });
    return;
  }
  faulted = matchesUpstream(context.config.upstreams, target.host, target.port);
  const connection = new StreamConnection(client);
  faults = faulted ? context.attachFaults(connection) : NO_FAULTS;

  client.setNoDelay(true);
  if (isIP(target.host) === 0 && faults.failsResolution(target.host)) {
    const failure = injectedDnsFailure(target.host);
    context.release(faults);
    writeRawFailure(client, failure);
    end({ status: failure.status });
    return;
  }
  const abandon = () => upstream.destroy();
  client.once('close', abandon);

  const upstream = connectUpstream(target, context.config.connectTimeoutMs, (error) => {
    client.off('close', abandon);
    if (error) {
      const failure = upstreamFailure(error as NodeJS.ErrnoException, `CONNECT target ${authority}`);
      context.release(faults);
      writeRawFailure(client, failure);
      end({ status: failure.status, error: failure.message });
      return;
    }
    if (client.destroyed) {
      context.release(faults);
      upstream.destroy();
      end({ error: 'the client left before the tunnel was open' });
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // A tunnel with no fault (passthrough, or none active now) never gets one: native relay.
    if (faults.none) {
      const native = context.relayNatively(client, upstream, (outcome, endWheelMs) => end({ status: 200, ...outcome }, endWheelMs), head);
      if (native) return;
    }
    connection.upstream = upstream;
    relayStreams(
      context,
      connection,
      faults,
      (result) => {
        stats.counters.bytesToUpstream += result.bytesToUpstream;
        stats.counters.bytesToClient += result.bytesToClient;
        end({
          status: 200,
          bytesToUpstream: result.bytesToUpstream,
          bytesToClient: result.bytesToClient,
          error: result.error?.message,
        });
      },
      head,
    );
  });
}
