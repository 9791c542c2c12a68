// The fast path for connections no fault can touch: both sockets go to the native relay thread
// of this shard (native/fault_relay.c) and JavaScript only hears back when the connection ends.
//
// Why it is safe: faults attach when a connection starts and a later schedule window never adds
// one to an open connection, so a connection that starts with no fault active stays fault-free
// for its whole life. Bytes, half-closes and resets are relayed as the JavaScript relay does.
//
// FAULT_NATIVE_RELAY=0 turns it off (every connection then goes through the JavaScript relay).
import type { Socket } from 'node:net';
import { type NativeAddon, type NativeRelayFinished, loadNative } from '../engine/native';

/** How often finished connections are collected from the relay thread while any are open. */
const COLLECT_INTERVAL_MS = 20;

function fdOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** Whatever Node already read from a socket and nobody consumed yet. */
function takeBuffered(socket: Socket): Buffer | undefined {
  if (socket.readableLength === 0) return undefined;
  const chunks: Buffer[] = [];
  for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) chunks.push(chunk);
  return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
}

export function nativeRelayDisabledByEnv(): boolean {
  const v = (process.env.FAULT_NATIVE_RELAY ?? '').trim().toLowerCase();
  return v === '0' || v === 'false' || v === 'no' || v === 'off';
}

export class NativeFastPath {
  private readonly waiting = new Map<number, (finished: NativeRelayFinished) => void>();
  private nextId = 1;
  private collector: NodeJS.Timeout | undefined;

  private constructor(private readonly addon: NativeAddon) {}

  /** The fast path of this thread, or undefined when the addon is missing or it is turned off. */
  static load(): NativeFastPath | undefined {
    if (nativeRelayDisabledByEnv()) return undefined;
    const native = loadNative();
    return native.ok ? new NativeFastPath(native.addon) : undefined;
  }

  /** Connections handed over that have not finished yet. */
  get openCount(): number {
    return this.waiting.size;
  }

  /**
   * Hands two connected plain TCP sockets to the relay thread. On true the sockets are
   * destroyed here (the relay holds its own copies of the fds, so the peers see nothing) and
   * `onFinished` runs once the connection has ended; on false nothing changed and the caller
   * relays itself.
   */
  handOver(
    client: Socket,
    upstream: Socket,
    onFinished: (finished: NativeRelayFinished) => void,
    earlyClientBytes?: Buffer,
  ): boolean {
    const clientFd = fdOf(client);
    const upstreamFd = fdOf(upstream);
    if (clientFd === undefined || upstreamFd === undefined || client.destroyed || upstream.destroyed) return false;
    // Bytes still queued for writing would be lost with the sockets.
    if (client.writableLength > 0 || upstream.writableLength > 0) return false;
    const buffered = takeBuffered(client);
    const clientBytes = earlyClientBytes && earlyClientBytes.length > 0
      ? (buffered ? Buffer.concat([earlyClientBytes, buffered]) : earlyClientBytes)
      : buffered;
    const upstreamBytes = takeBuffered(upstream);
    const id = this.nextId++;
    if (!this.addon.relayAdd(id, clientFd, upstreamFd, clientBytes, upstreamBytes)) {
      if (buffered) client.unshift(buffered);
      if (upstreamBytes) upstream.unshift(upstreamBytes);
      return false;
    }
    this.waiting.set(id, onFinished);
    client.destroy();
    upstream.destroy();
    this.collector ??= setInterval(() => this.collect(), COLLECT_INTERVAL_MS).unref();
    return true;
  }

  /** Reports the connections that finished since the last call to their owners. */
  collect(): void {
    for (const finished of this.addon.relayCollect()) {
      const onFinished = this.waiting.get(finished.id);
      this.waiting.delete(finished.id);
      onFinished?.(finished);
    }
    if (this.waiting.size === 0 && this.collector) {
      clearInterval(this.collector);
      this.collector = undefined;
    }
  }

  /** The shard's drain time is over: close every relayed connection, then report them. */
  async closeAll(): Promise<void> {
    if (this.waiting.size === 0) return;
    this.addon.relayCloseAll();
    const deadline = Date.now() + 1000;
    while (this.waiting.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.collect();
    }
  }
}
