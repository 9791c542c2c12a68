// Host and port pieces shared by `--proxy-address`, `--proxy` and `--upstream`.
// Hosts are returned lower-case and IPv6 literals without brackets (as ListenAddress expects).

import { isIP, isIPv6 } from 'node:net';
import type { ListenAddress } from './types';
import { InvalidValueError } from './validate';

// RFC 1123 labels; '_' is tolerated because real internal DNS names (e.g. docker services) use it.
const HOSTNAME = /^(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** A TCP port 1..65535 (port 0 would mean "any free port", which a user cannot connect to). */
export function parsePort(text: string): number {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value >= 1 && value <= 65535)) {
    throw new InvalidValueError(`Invalid port '${text}' (expected 1-65535).`);
  }
  return value;
}

/** Validates a host (name, IPv4, or IPv6 with or without brackets) and normalises it. */
export function parseHost(text: string): string {
  let host = text.trim();
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    if (!isIPv6(host)) throw new InvalidValueError(`Invalid IPv6 address '${text}'.`);
  }
  if (isIP(host) === 0 && !HOSTNAME.test(host)) {
    throw new InvalidValueError(`Invalid host '${text}'.`);
  }
  return canonicalHost(host);
}

/** Lower-case, no brackets, IPv6 in its shortest form, so equal addresses compare equal. */
export function canonicalHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv6(bare)) {
    // The WHATWG URL parser prints IPv6 hosts in the RFC 5952 canonical form.
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  }
  return bare.toLowerCase();
}

/**
 * Splits `host:port`, `[v6]:port`, `[v6]`, `host` into parts; the port text may be absent.
 * A colon-laden text without brackets is only accepted as a whole IPv6 address.
 */
export function splitHostPort(text: string): { host: string; portText?: string } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new InvalidValueError(`Missing ']' in '${text}'.`);
    const rest = text.slice(close + 1);
    if (rest === '') return { host: text.slice(0, close + 1) };
    if (!rest.startsWith(':')) throw new InvalidValueError(`Unexpected '${rest}' after ']' in '${text}'.`);
    return { host: text.slice(0, close + 1), portText: rest.slice(1) };
  }
  if (isIPv6(text)) return { host: text };
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: text };
  if (text.indexOf(':') !== colon) {
    throw new InvalidValueError(`Ambiguous address '${text}': write IPv6 addresses in brackets, e.g. [::1]:8080.`);
  }
  return { host: text.slice(0, colon), portText: text.slice(colon + 1) };
}

/** A port to listen on: 1..65535, or 0 for a free port chosen by the system (the prelude shows it). */
export function parseListenPort(text: string): number {
  return text.trim() === '0' ? 0 : parsePort(text);
}

/** `host:port` with a mandatory port, e.g. `127.0.0.1:3180`, `[::1]:3180`, `localhost:3180`. */
export function parseListenAddress(text: string): ListenAddress {
  const { host, portText } = splitHostPort(text.trim());
  if (portText === undefined) {
    throw new InvalidValueError(`Address '${text}' needs a port, e.g. 127.0.0.1:3180.`);
  }
  if (host === '') throw new InvalidValueError(`Address '${text}' needs a host, e.g. 127.0.0.1:3180.`);
  return { host: parseHost(host), port: parseListenPort(portText) };
}

/** `host:port` for messages, with brackets around IPv6. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
