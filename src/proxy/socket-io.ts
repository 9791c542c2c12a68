// Small socket helpers shared by every relay.
import type { Socket } from 'node:net';
import type { PumpSink } from './pump';

/** A pump sink that writes to a socket (a class: one copy of the methods for every connection). */
class SocketSink implements PumpSink {
  constructor(private readonly socket: Socket) {}
  write(chunk: Buffer): boolean {
    return this.socket.write(chunk);
  }
  end(): void {
    this.socket.end();
  }
  onceDrain(callback: () => void): void {
    this.socket.once('drain', callback);
  }
}

export function socketSink(socket: Socket): PumpSink {
  return new SocketSink(socket);
}

/**
 * Close a socket abruptly with a TCP RST, so that the peer sees the same reset the proxy saw.
 * Falls back to a plain destroy where a reset is not possible: TLS sockets, and sockets whose
 * write side we already ended — libuv refuses to reset a socket that is shutting down, and
 * Node then reports an error but leaves the handle (and its fd) open forever.
 */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) {
    socket.destroy();
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** Errors that mean "the peer went away": relayed, but not worth logging. */
export function isPeerGone(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'ECONNABORTED';
}
