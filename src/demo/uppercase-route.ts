import { jsonError, jsonResponse } from './responses';
import type { Route } from './router';
import type { DemoRequest, DemoResponse } from './server-adapter';

/** POST /uppercase — `{"content": "abc"}` in, `{"content": "ABC"}` out. */
export function uppercaseRoute(): Route {
  return { method: 'POST', path: '/uppercase', handle: uppercase };
}

function uppercase(request: DemoRequest): DemoResponse {
  if (!isJsonMediaType(request.headers.get('content-type'))) {
    return jsonError(415, 'send the body as application/json');
  }
  if (request.bodyTooLarge) return jsonError(413, 'body too large');

  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    return jsonError(400, 'body is not valid JSON');
  }
  const content = (parsed as { content?: unknown } | null)?.content;
  if (typeof content !== 'string') return jsonError(400, 'expected {"content": "<string>"}');
  return jsonResponse(200, { content: content.toUpperCase() });
}

/** True for `application/json`, ignoring case and parameters such as `; charset=utf-8`. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json';
}
