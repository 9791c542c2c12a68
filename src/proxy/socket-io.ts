// Small socket helpers shared by every relay.
import type { Socket } from 'node:net';
import type { PumpSink } from './pump';

/** A pump sink that writes to a socket. */
export function socketSink(socket: Socket): PumpSink {
  return {
    write: (chunk) => socket.write(chunk),
    end: () => socket.end(),
    onceDrain: (callback) => socket.once('drain', callback),
  };
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
