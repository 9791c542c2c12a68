// Catches two listeners of one run on the same port before anything binds, so the user gets
// a message naming both instead of an "address in use" from whichever started second.

import { isIPv6 } from 'node:net';
import { formatHostPort } from './address';
import type { ListenAddress } from './types';

export interface NamedListener {
  /** How the user wrote it, e.g. `--proxy-address 127.0.0.1:3180` or `--proxy 8080=db:5432`. */
  name: string;
  address: ListenAddress;
}

/** A message describing the first clash, or undefined when all listeners can coexist. */
export function findListenConflict(listeners: readonly NamedListener[]): string | undefined {
  for (let i = 0; i < listeners.length; i++) {
    for (let j = i + 1; j < listeners.length; j++) {
      const a = listeners[i];
      const b = listeners[j];
      // Port 0 asks the system for a free port: never a clash.
      if (a.address.port !== 0 && a.address.port === b.address.port && hostsOverlap(a.address.host, b.address.host)) {
        const where = formatHostPort(b.address.host, b.address.port);
        return `${b.name} listens on ${where}, which ${a.name} already uses.`;
      }
    }
  }
  return undefined;
}

// A wildcard bind clashes with specific hosts on the same port: `::` (dual-stack) with every
// host, `0.0.0.0` with everything but IPv6 literals.
function hostsOverlap(a: string, b: string): boolean {
  if (a === b || a === '::' || b === '::') return true;
  return (a === '0.0.0.0' && !isIPv6(b)) || (b === '0.0.0.0' && !isIPv6(a));
}
