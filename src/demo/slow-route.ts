import { setTimeout as sleep } from 'node:timers/promises';
import { jsonError, textResponse } from './responses';
import type { Route } from './router';
import type { DemoRequest, DemoResponse } from './server-adapter';

/** Upper bound so a typo cannot park a request (and a shutdown) for hours. */
export const MAX_SLOW_MS = 60_000;

/** GET /slow?ms=N — answers after N milliseconds, to make latency visible in tests and benchmarks. */
export function slowRoute(): Route {
  return { method: 'GET', path: '/slow', handle: slow };
}

async function slow(request: DemoRequest): Promise<DemoResponse> {
  const requested = new URLSearchParams(request.query).get('ms') ?? '';
  if (!/^\d+$/.test(requested)) return jsonError(400, 'expected /slow?ms=<non-negative integer>');
  const milliseconds = Math.min(Number(requested), MAX_SLOW_MS);
  // The signal ends the wait early when the client leaves or the server shuts down.
  await sleep(milliseconds, undefined, { signal: request.signal });
  return textResponse(200, `slept ${milliseconds} ms`);
}
