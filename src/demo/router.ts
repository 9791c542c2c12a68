import { jsonError } from './responses';
import type { DemoRequest, DemoRequestHandler, DemoResponse } from './server-adapter';

export interface Route {
  method: string;
  path: string;
  handle(request: DemoRequest): Promise<DemoResponse> | DemoResponse;
}

/** Dispatches on exact path and method: unknown path → 404, known path with another method → 405. */
export function createRouter(routes: readonly Route[]): DemoRequestHandler {
  const routesByPath = new Map<string, Map<string, Route>>();
  for (const route of routes) {
    const byMethod = routesByPath.get(route.path) ?? new Map<string, Route>();
    byMethod.set(route.method, route);
    routesByPath.set(route.path, byMethod);
  }

  return async (request) => {
    const byMethod = routesByPath.get(request.path);
    if (!byMethod) return jsonError(404, `no route for ${request.path}`);
    const route = byMethod.get(request.method);
    if (!route) {
      const allowed = [...byMethod.keys()].join(', ');
      return jsonError(405, `${request.method} is not allowed on ${request.path} (allowed: ${allowed})`, { allow: allowed });
    }
    return route.handle(request);
  };
}
