import net from 'node:net';

/** Accepts IPv6 literals with or without brackets ("[::1]" or "::1"); the servers want them bare. */
export function normalizeListenAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
}

/** Rejects ports the servers would misread (uWS silently truncates out-of-range numbers). */
export function assertValidPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid port ${port}: expected an integer from 0 to 65535`);
  }
}

/**
 * The address to *connect* to in order to reach a server bound to `listenAddress`:
 * a wildcard bind is reachable on loopback of the same family.
 */
export function connectableHost(listenAddress: string): string {
  if (net.isIPv4(listenAddress) && listenAddress === '0.0.0.0') return '127.0.0.1';
  if (net.isIPv6(listenAddress) && isUnspecifiedIPv6(listenAddress)) return '::1';
  return listenAddress;
}

/** `http://host:port` with IPv6 hosts bracketed. */
export function httpOrigin(host: string, port: number): string {
  return net.isIPv6(host) ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

function isUnspecifiedIPv6(address: string): boolean {
  // WHATWG URL parsing canonicalises every spelling of the all-zero address ("0:0::0", …) to "[::]".
  return new URL(`http://[${address}]/`).hostname === '[::]';
}
