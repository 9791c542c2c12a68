import { htmlResponse } from './responses';
import type { Route } from './router';

export const HELLO_HTML = '<h1>Hello, World!</h1>';

/** GET / — the page the other routes (and users behind the proxy) fetch. */
export function helloRoute(): Route {
  return { method: 'GET', path: '/', handle: () => htmlResponse(200, HELLO_HTML) };
}
