// Where the OpenTelemetry SDK's own complaints go (export failures, bad configuration): into
// our log, never onto stdout. Without a log, the first problem is still worth one line on
// stderr, or a dead collector would go unnoticed.
import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Logger } from '../engine/logger';

function render(message: string, args: unknown[]): string {
  const extra = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg)));
  return ['opentelemetry:', message, ...extra].join(' ');
}

export function routeOtelDiagnostics(log: Logger): void {
  let warnedOnStderr = false;
  const problem = (message: string, args: unknown[]) => {
    const line = render(message, args);
    log.warn(line);
    if (!warnedOnStderr) {
      warnedOnStderr = true;
      const more = log.enabled('warn') ? 'more in the log' : 'further problems are not shown';
      process.stderr.write(`warning: ${line} (${more})\n`);
    }
  };
  const level = log.enabled('debug') ? DiagLogLevel.DEBUG : DiagLogLevel.WARN;
  diag.setLogger(
    {
      error: (message, ...args) => problem(message, args),
      warn: (message, ...args) => problem(message, args),
      info: (message, ...args) => log.info(render(message, args)),
      debug: (message, ...args) => log.debug(render(message, args)),
      verbose: (message, ...args) => log.trace(render(message, args)),
    },
    { logLevel: level, suppressOverrideMessage: true },
  );
}

export function stopRoutingOtelDiagnostics(): void {
  diag.disable();
}
