// Leaves no child process behind, whichever way the harness ends: normally, by an error, or by
// Ctrl-C / SIGTERM / SIGHUP (a second signal stops waiting and kills at once).
import { killAllChildrenNow, stopAllChildren } from './child-processes';

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** `finalCleanup` runs synchronously at process exit (e.g. removing the temp dir). */
export function guardAgainstOrphans(finalCleanup: () => void): void {
  process.on('exit', () => {
    killAllChildrenNow();
    finalCleanup();
  });
  let stopping = false;
  for (const signal of Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[]) {
    process.on(signal, () => {
      const exitCode = 128 + SIGNAL_NUMBERS[signal];
      if (stopping) process.exit(exitCode);
      stopping = true;
      process.stderr.write(`\n${signal}: stopping all benchmark processes...\n`);
      void stopAllChildren().finally(() => process.exit(exitCode));
    });
  }
}

/** Stops every child gracefully, then exits with `code`. */
export async function exitAfterStoppingChildren(code: number): Promise<never> {
  await stopAllChildren();
  process.exit(code);
}
