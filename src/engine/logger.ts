// Main-thread logging (--log-file, --log-stdout, --log-level). Writes are asynchronous
// (fs.WriteStream) so logging never blocks the event loop.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { LoggingConfig } from '../config/types';

const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  close(): void;
}

/** `--log-level` accepts a level, optionally followed by comma-separated directives; we honour the first level found. */
function thresholdOf(filter: string): number {
  for (const part of filter.split(',')) {
    const level = part.includes('=') ? part.split('=')[1] : part;
    const index = LEVELS.indexOf(level.trim().toLowerCase() as Level);
    if (index >= 0) return index;
  }
  return LEVELS.indexOf('info');
}

export function createLogger(config: LoggingConfig): Logger {
  const sinks: Array<NodeJS.WritableStream> = [];
  let file: WriteStream | undefined;
  if (config.logFile) {
    file = createWriteStream(config.logFile, { flags: 'a' });
    file.on('error', (error) => process.stderr.write(`warning: cannot write log file: ${error.message}\n`));
    sinks.push(file);
  }
  if (config.logStdout) sinks.push(process.stdout);
  const threshold = thresholdOf(config.logLevel);
  const write = (level: Level) => (message: string) => {
    if (sinks.length === 0 || LEVELS.indexOf(level) > threshold) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`;
    for (const sink of sinks) sink.write(line);
  };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    close: () => file?.end(),
  };
}
