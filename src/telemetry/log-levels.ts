// Log levels and the `--log-level` filter. The filter accepts what the original accepted
// (tracing EnvFilter directives such as `info,fault=debug,tower_http=warn`), but we only have
// one target: the most verbose level that applies to us wins.

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How verbose logging is: a record is written when its severity index is <= the threshold. */
export type LogThreshold = number;
/** Nothing is logged (no log destination, or `--log-level off`). */
export const LOG_OFF: LogThreshold = -1;
const DEFAULT_LEVEL: LogLevel = 'info';

export function severityOf(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

export function isLogged(level: LogLevel, threshold: LogThreshold): boolean {
  return severityOf(level) <= threshold;
}

export interface ParsedLogFilter {
  threshold: LogThreshold;
  /** Directives that were not understood (ignored, worth a warning). */
  ignored: string[];
}

/** Our own targets: `fault`, and module-style names under it (`fault::proxy`, `fault_cli`). */
function isOwnTarget(target: string): boolean {
  return /^fault($|::|_|-)/.test(target);
}

function levelThreshold(word: string): LogThreshold | undefined {
  const lower = word.trim().toLowerCase();
  if (lower === 'off') return LOG_OFF;
  const index = LOG_LEVELS.indexOf(lower as LogLevel);
  return index >= 0 ? index : undefined;
}

/**
 * `debug` → debug; `info,fault=debug` → debug; `warn,tower_http=debug` → warn (other targets
 * are not ours); a bare target (`fault`) means trace, as in EnvFilter. Without any level that
 * applies to us the default, info, is used.
 */
export function parseLogFilter(filter: string): ParsedLogFilter {
  const ignored: string[] = [];
  let threshold: LogThreshold | undefined;
  const consider = (candidate: LogThreshold) => {
    threshold = threshold === undefined ? candidate : Math.max(threshold, candidate);
  };
  for (const raw of filter.split(',')) {
    const directive = raw.trim();
    if (directive === '') continue;
    const equals = directive.indexOf('=');
    if (equals < 0) {
      const level = levelThreshold(directive);
      if (level !== undefined) consider(level);
      else if (isOwnTarget(directive)) consider(severityOf('trace'));
      else if (!/^[A-Za-z_][\w:-]*$/.test(directive)) ignored.push(directive);
      continue;
    }
    // Span filters (`target[span{field}]`) are accepted and read by their target only.
    const target = directive.slice(0, equals).replace(/\[.*$/, '').trim();
    const level = levelThreshold(directive.slice(equals + 1));
    if (level === undefined) ignored.push(directive);
    else if (isOwnTarget(target)) consider(level);
  }
  return { threshold: threshold ?? severityOf(DEFAULT_LEVEL), ignored };
}
