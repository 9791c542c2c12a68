// Opening the proxy's own connection to an upstream: plain TCP or TLS, no Nagle, half-close
// allowed, with a connect timeout. Node's net.connect tries every resolved address
// (autoSelectFamily), so a name with a dead first address still connects.
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface UpstreamTarget {
  host: string;
  port: number;
  tls?: boolean;
}

export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(target: UpstreamTarget, timeoutMs: number) {
    super(`connect to ${target.host}:${target.port} timed out after ${timeoutMs} ms`);
  }
}

/** Connects and calls back once: with no error when the socket is ready for data. */
export function connectUpstream(
  target: UpstreamTarget,
  timeoutMs: number,
  onReady: (error?: Error) => void,
): net.Socket {
  const host = target.host;
  const socket = target.tls
    ? tls.connect({ host, port: target.port, servername: net.isIP(host) ? undefined : host })
    : net.connect({ host, port: target.port, allowHalfOpen: true, noDelay: true });
  let settled = false;
  const settle = (error?: Error) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.off('error', settle);
    if (error) socket.destroy();
    onReady(error);
  };
  const timer = setTimeout(() => settle(new ConnectTimeoutError(target, timeoutMs)), timeoutMs);
  socket.once(target.tls ? 'secureConnect' : 'connect', () => {
    socket.setNoDelay(true);
    settle();
  });
  socket.once('error', settle);
  return socket;
}
