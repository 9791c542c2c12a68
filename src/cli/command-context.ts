// What main hands to every command: the environment to read, the global options, a way to
// warn, and the slot where a finished command leaves its exit status.

import type { LoggingConfig } from '../config/types';
import type { Environment } from './options';

export interface CommandContext {
  env: Environment;
  /** Global options (given before the command), read when a command runs. */
  logging(): LoggingConfig;
  /** Prints a one-line warning on stderr. */
  warn(message: string): void;
  /** Exit status requested by the command that ran; main exits with it. */
  exitCode: number;
}
