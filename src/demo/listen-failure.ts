import net from 'node:net';

/** The one-line message shown when the demo cannot bind, e.g. "cannot listen on 127.0.0.1:7070: address already in use". */
export function describeListenFailure(address: string, port: number, reason: string): string {
  return `cannot listen on ${formatHostPort(address, port)}: ${reason}`;
}

export function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const READABLE_LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name could not be resolved',
  EINVAL: 'invalid address',
};

/** Turns a listen error from node:net / node:http into a short reason. */
export function reasonFromListenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in READABLE_LISTEN_ERRORS) return READABLE_LISTEN_ERRORS[code];
  return error instanceof Error ? error.message : String(error);
}

/**
 * uWS only reports "listen failed" without a cause, so repeat the bind with node:net
 * (and release it at once) to learn why, for a useful error message.
 */
export function probeListenFailureReason(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error) => resolve(reasonFromListenError(error)));
    probe.listen({ host: address, port, exclusive: true }, () => {
      probe.close(() => resolve('the server library refused the address'));
    });
  });
}
