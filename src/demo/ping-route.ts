import { formatMilliseconds, startTimer } from './elapsed';
import { OutboundError, type OutboundClient, type OutboundResponse } from './outbound-client';
import { jsonError, jsonResponse } from './responses';
import type { Route } from './router';
import type { DemoRequest, DemoResponse } from './server-adapter';

/** GET /ping — fetches `pingUrl` server-side and reports its content and how long that took. */
export function pingRoute(client: OutboundClient, pingUrl: string): Route {
  return {
    method: 'GET',
    path: '/ping',
    handle: (request) => ping(request, client, pingUrl),
  };
}

async function ping(request: DemoRequest, client: OutboundClient, pingUrl: string): Promise<DemoResponse> {
  const elapsed = startTimer();
  try {
    const upstream = await client.get(pingUrl, request.signal);
    if (upstream.status < 200 || upstream.status > 299) {
      return jsonError(502, `GET ${pingUrl}: upstream answered ${upstream.status}`);
    }
    return jsonResponse(200, { content: decodeContent(upstream, pingUrl), duration: formatMilliseconds(elapsed()) });
  } catch (error) {
    if (error instanceof OutboundError) return jsonError(502, error.message);
    throw error;
  }
}

/** Upstream JSON is embedded as JSON, anything else as text; JSON that does not parse is a failure. */
function decodeContent(upstream: OutboundResponse, url: string): unknown {
  const text = upstream.body.toString('utf8');
  if (!/\bjson\b/i.test(upstream.contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new OutboundError(`GET ${url}: upstream sent invalid JSON`);
  }
}
