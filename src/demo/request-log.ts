import { formatMilliseconds, startTimer } from './elapsed';
import { jsonError } from './responses';
import type { DemoRequest, DemoRequestHandler } from './server-adapter';

/**
 * Wraps the router so that every request is logged as `<METHOD> <path> <status> <duration>ms`
 * and a throwing handler becomes a 500 instead of a crash. `log` undefined = quiet.
 */
export function withRequestLog(handler: DemoRequestHandler, log: ((line: string) => void) | undefined): DemoRequestHandler {
  return async (request) => {
    const elapsed = startTimer();
    const response = await handler(request).catch((error: unknown) => {
      // An aborted request's handler fails by design (its work was cancelled); the reply is never sent.
      if (!request.signal.aborted) log?.(`error while handling ${request.method} ${request.path}: ${String(error)}`);
      return jsonError(500, 'internal error');
    });
    const outcome = request.signal.aborted ? 'aborted' : String(response.status);
    log?.(`${request.method} ${target(request)} ${outcome} ${formatMilliseconds(elapsed())}ms`);
    return response;
  };
}

function target(request: DemoRequest): string {
  return request.query ? `${request.path}?${request.query}` : request.path;
}
