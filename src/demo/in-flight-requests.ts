/**
 * Tracks the abort controller of every request still being handled, so that closing
 * the server can stop them (a pending /slow or upstream call would otherwise hold it open).
 */
export class InFlightRequests {
  private readonly controllers = new Set<AbortController>();

  begin(): AbortController {
    const controller = new AbortController();
    this.controllers.add(controller);
    return controller;
  }

  end(controller: AbortController): void {
    this.controllers.delete(controller);
  }

  abortAll(reason: string): void {
    for (const controller of this.controllers) controller.abort(new Error(reason));
    this.controllers.clear();
  }
}
