// Options of `fault` itself, given before the command: logging and OpenTelemetry.

import type { Command } from 'commander';
import type { LoggingConfig } from '../config/types';
import { InvalidValueError } from '../config/validate';
import { addOptions, type Environment, OptionReader, type OptionSpec } from './options';

const logFile: OptionSpec = {
  flags: '--log-file <path>',
  description: 'append log lines to this file',
  env: 'FAULT_LOG_FILE',
};
const logStdout: OptionSpec = {
  flags: '--log-stdout',
  description: 'also write log lines to stdout',
  env: 'FAULT_WITH_STDOUT_LOGGING',
};
const logLevel: OptionSpec = {
  flags: '--log-level <filter>',
  description: 'log level or filter, e.g. debug',
  env: 'FAULT_LOG_LEVEL',
  defaultValue: 'info',
};
const withOtel: OptionSpec = {
  flags: '--with-otel',
  description: 'export OpenTelemetry traces and metrics over OTLP/HTTP, configured by the OTEL_* variables',
  env: 'FAULT_WITH_OTEL',
};

export function addGlobalOptions(program: Command): void {
  addOptions(program, [logFile, logStdout, logLevel, withOtel]);
}

export function loggingConfigFrom(program: Command, env: Environment): LoggingConfig {
  const reader = new OptionReader(program, env);
  return {
    logFile: reader.value(logFile, requireText('a file path')),
    logStdout: reader.flag(logStdout),
    logLevel: reader.valueOrDefault(logLevel, parseLogLevelOption),
    withOtel: reader.flag(withOtel),
  };
}

const LEVEL_WORDS = ['error', 'warn', 'info', 'debug', 'trace', 'off'];

/** A level, or EnvFilter-style directives; a lone unknown word is a typo, not a target. */
function parseLogLevelOption(text: string): string {
  const filter = requireText('a level such as info or debug')(text);
  const lone = !filter.includes(',') && !filter.includes('=');
  if (lone && !LEVEL_WORDS.includes(filter.toLowerCase()) && !/^fault($|::|_|-)/.test(filter)) {
    throw new InvalidValueError(`Unknown log level '${filter}' (use ${LEVEL_WORDS.join(', ')}, or directives like info,fault=debug).`);
  }
  return filter;
}

function requireText(what: string): (text: string) => string {
  return (text) => {
    if (text.trim() === '') throw new InvalidValueError(`Expected ${what}.`);
    return text.trim();
  };
}
