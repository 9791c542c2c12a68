// Header handling for HTTP forwarding (RFC 9110 §7.6.1): connection-specific ("hop-by-hop")
// fields stay on their hop; everything else travels unchanged, in order, repeated fields kept
// as separate lines (two Set-Cookie headers stay two).

/** Always hop-by-hop. Content-Length and Transfer-Encoding are kept: they describe the body we relay byte for byte. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'upgrade',
]);

/**
 * Lengths of the names forwardHeaders acts on (the hop-by-hop ones, Expect, Via, Host). A name
 * of any other length cannot match, so it is copied without lower-casing it first: most
 * headers of a request take that path, which saves a string allocation per header.
 */
const WATCHED_LENGTH = new Uint8Array(32);
for (const name of [...HOP_BY_HOP, 'expect', 'via', 'host']) WATCHED_LENGTH[name.length] = 1;

/** Our Via pseudonym; seeing it on an incoming request means the request looped back to us. */
export const VIA_TOKEN = `fault-${process.pid.toString(36)}`;

/** Names listed in the Connection header(s), lower-cased. */
function connectionOptions(raw: readonly string[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const name of raw[i + 1].split(',')) {
        const trimmed = name.trim().toLowerCase();
        if (trimmed) (names ??= new Set()).add(trimmed);
      }
    }
  }
  return names;
}

export interface ForwardHeaderOptions {
  /** Replace Host with this value (absolute-form requests must use the URL's authority). */
  host?: string;
  /** Drop Expect (when we answered 100-continue ourselves). */
  dropExpect?: boolean;
}

/**
 * Headers to send on the next hop, as a flat [name, value, ...] list. Adds our Via entry.
 * `extraDrop` lists more lower-case names to drop.
 */
export function forwardHeaders(raw: readonly string[], options: ForwardHeaderOptions = {}): string[] {
  const listed = connectionOptions(raw);
  const out: string[] = [];
  let via: string | undefined;
  let hostWritten = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (listed === undefined && (name.length >= 32 || WATCHED_LENGTH[name.length] === 0)) {
      out.push(name, raw[i + 1]);
      continue;
    }
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed?.has(lower)) continue;
    if (lower === 'expect' && options.dropExpect) continue;
    if (lower === 'via') {
      via = via === undefined ? raw[i + 1] : `${via}, ${raw[i + 1]}`;
      continue;
    }
    if (lower === 'host') {
      if (hostWritten) continue;
      hostWritten = true;
      out.push(name, options.host ?? raw[i + 1]);
      continue;
    }
    out.push(name, raw[i + 1]);
  }
  if (!hostWritten && options.host !== undefined) out.unshift('Host', options.host);
  out.push('Via', via === undefined ? `1.1 ${VIA_TOKEN}` : `${via}, 1.1 ${VIA_TOKEN}`);
  return out;
}

/** True when a request already went through this very proxy (a forwarding loop). */
export function hasLooped(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    // Length first: only 3-letter names can be Via, and lower-casing every name costs.
    if (raw[i].length === 3 && raw[i].toLowerCase() === 'via' && raw[i + 1].includes(VIA_TOKEN)) return true;
  }
  return false;
}

/** Trailer fields ([name, value, ...]) as the [[name, value], ...] pairs ServerResponse.addTrailers takes. */
export function trailerPairs(rawTrailers: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < rawTrailers.length; i += 2) pairs.push([rawTrailers[i], rawTrailers[i + 1]]);
  return pairs;
}
