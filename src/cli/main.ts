// Entry point of the `fault` command: assembles the commander program, runs the chosen
// command and turns every outcome into an exit status (never a stack trace):
//   0  finished (or --help / --version)
//   2  usage errors: unknown flag or command, invalid value, missing command
//   N  whatever a running command (engine, demo) asks for; 1 for an unexpected failure.

import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command-context';
import { registerDemoCommand } from './demo-command';
import { addGlobalOptions, loggingConfigFrom } from './global-options';
import { registerRunCommand, runProxy } from './run-command';
import { UsageError } from './usage-error';
import { packageVersion } from './version';

const USAGE_EXIT_CODE = 2;

/**
 * Output piped into a reader that went away (`fault run | head`) must not crash the proxy:
 * it keeps running, it just has nobody to talk to.
 */
function ignoreClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export function main(argv: string[]): void {
  ignoreClosedOutput(process.stdout);
  ignoreClosedOutput(process.stderr);
  const context: CommandContext = {
    env: process.env,
    logging: () => loggingConfigFrom(program, process.env),
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    exitCode: 0,
  };
  const program = createProgram(context);
  program.parseAsync(argv, { from: 'user' }).then(
    () => exitAfterFlush(context.exitCode),
    (error: unknown) => exitAfterFlush(reportFailure(error)),
  );
}

function createProgram(context: CommandContext): Command {
  const program = new Command('fault')
    .description('A network fault-injection proxy: latency and more, in front of any HTTP or TCP service.')
    .usage('[options] <command>')
    .version(`fault ${packageVersion()}`, '-V, --version', 'print the version')
    // Throw instead of exiting so every exit goes through one place (and gets status 2).
    .exitOverride();
  addGlobalOptions(program);
  registerRunCommand(program, (run) => runProxy(run, context));
  registerDemoCommand(program, context);
  return program;
}

/** Prints what went wrong (commander has already printed its own errors) and picks the status. */
function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are "errors" too, with status 0; a missing command shows help with 1.
    return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    return USAGE_EXIT_CODE;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  return 1;
}

/** Exits once stdout and stderr have taken everything written so far. */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
