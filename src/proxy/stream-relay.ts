// Relays bytes both ways between two connected sockets through their fault pumps, for TCP
// mappings and CONNECT tunnels. Half-close is relayed (a FIN on one side becomes a FIN on the
// other once everything before it was delivered) and so are resets.
import type { Socket } from 'node:net';
import type { ConnectionControl } from '../faults/fault';
import type { AttachedFaults } from '../faults/registry';
import { Pump } from './pump';
import type { ShardContext } from './shard-context';
import { resetSocket, socketSink } from './socket-io';

export interface RelayResult {
  bytesToUpstream: number;
  bytesToClient: number;
  /** The first error seen on either socket, if any. */
  error?: Error;
}

/** Both sockets of a stream connection, as faults may act on them (the upstream comes later). */
export class StreamConnection implements ConnectionControl {
  upstream: Socket | undefined;

  constructor(readonly client: Socket) {}

  reset(): void {
    resetSocket(this.client);
    if (this.upstream) resetSocket(this.upstream);
  }

  close(): void {
    this.client.destroySoon();
    this.upstream?.destroySoon();
  }
}

export function relayStreams(
  context: ShardContext,
  connection: StreamConnection,
  faults: AttachedFaults,
  onFinished: (result: RelayResult) => void,
  /** Client bytes already read before the relay started (e.g. sent right behind a CONNECT head). */
  earlyClientBytes?: Buffer,
): void {
  const client = connection.client;
  const upstream = connection.upstream!;
  const result: RelayResult = { bytesToUpstream: 0, bytesToClient: 0 };
  const abort = (how: 'reset' | 'close') => (how === 'reset' ? connection.reset() : connection.close());
  const toUpstream = new Pump(client, socketSink(upstream), faults.stages.toUpstream, context.wheel, abort);
  const toClient = new Pump(upstream, socketSink(client), faults.stages.toClient, context.wheel, abort);
  if (earlyClientBytes && earlyClientBytes.length > 0) {
    result.bytesToUpstream += earlyClientBytes.length;
    toUpstream.push(earlyClientBytes);
  }

  client.on('data', (chunk: Buffer) => {
    result.bytesToUpstream += chunk.length;
    toUpstream.push(chunk);
  });
  upstream.on('data', (chunk: Buffer) => {
    result.bytesToClient += chunk.length;
    toClient.push(chunk);
  });
  client.on('end', () => toUpstream.end());
  upstream.on('end', () => toClient.end());
  // A FIN that came before the relay started (a client that wrote and half-closed while the
  // upstream was still connecting) had its 'end' with nobody listening: pass it on now.
  if (client.readableEnded) toUpstream.end();
  if (upstream.readableEnded) toClient.end();

  // An error on one side aborts the other with a reset: the peer learns what happened.
  const failed = (other: Socket) => (error: Error) => {
    result.error ??= error;
    toUpstream.close();
    toClient.close();
    resetSocket(other);
  };
  client.on('error', failed(upstream));
  upstream.on('error', failed(client));

  let open = 2;
  const closed = (socket: Socket, pumpInto: Pump, other: Socket) => () => {
    pumpInto.close();
    // Closed before everything meant for it was written (destroyed, not ended): the exchange
    // cannot complete, so do not leave the other side hanging.
    if (!socket.writableFinished && !other.destroyed) other.destroy();
    if (--open === 0) {
      context.release(faults);
      onFinished(result);
    }
  };
  client.once('close', closed(client, toClient, upstream));
  upstream.once('close', closed(upstream, toUpstream, client));
}
