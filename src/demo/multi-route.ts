import { formatMilliseconds, startTimer } from './elapsed';
import { OutboundError, type OutboundClient } from './outbound-client';
import { jsonResponse } from './responses';
import type { Route } from './router';
import type { DemoRequest, DemoResponse } from './server-adapter';

type MultiResult = { url: string; status: number; length: number } | { url: string; error: string };

/** GET /multi — fetches several URLs concurrently; each failure is reported in place, the route itself answers 200. */
export function multiRoute(client: OutboundClient, urls: readonly string[]): Route {
  return {
    method: 'GET',
    path: '/multi',
    handle: (request) => multi(request, client, urls),
  };
}

async function multi(request: DemoRequest, client: OutboundClient, urls: readonly string[]): Promise<DemoResponse> {
  const elapsed = startTimer();
  const results = await Promise.all(urls.map((url) => fetchOne(request, client, url)));
  return jsonResponse(200, { results, duration: formatMilliseconds(elapsed()) });
}

async function fetchOne(request: DemoRequest, client: OutboundClient, url: string): Promise<MultiResult> {
  try {
    const response = await client.get(url, request.signal);
    return { url, status: response.status, length: response.body.length };
  } catch (error) {
    if (error instanceof OutboundError) return { url, error: error.message };
    throw error;
  }
}
