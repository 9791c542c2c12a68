import { OutboundError, type OutboundClient } from './outbound-client';
import { htmlResponse, textResponse } from './responses';
import type { Route } from './router';
import type { DemoRequest, DemoResponse } from './server-adapter';

/**
 * GET /ping/myself — calls this demo's own `/` over the network (through the proxy when
 * one is configured). `selfOrigin` is read per request because the port is only known
 * once the server is bound (port 0).
 */
export function pingMyselfRoute(client: OutboundClient, selfOrigin: () => string): Route {
  return {
    method: 'GET',
    path: '/ping/myself',
    handle: (request) => pingMyself(request, client, `${selfOrigin()}/`),
  };
}

async function pingMyself(request: DemoRequest, client: OutboundClient, url: string): Promise<DemoResponse> {
  try {
    const inner = await client.get(url, request.signal);
    if (inner.status === 200) return htmlResponse(200, inner.body);
    return textResponse(502, `GET ${url}: answered ${inner.status}, expected 200`);
  } catch (error) {
    if (error instanceof OutboundError) return textResponse(502, error.message);
    throw error;
  }
}
