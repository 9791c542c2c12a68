import { startDemo, type DemoServer } from './start-demo';
import { welcomeText } from './welcome-text';

/**
 * `fault demo run [ADDRESS] [PORT]`: serve the demo until SIGINT/SIGTERM.
 * Resolves with the process exit code: 0 after a clean shutdown, 1 when it cannot bind.
 */
export async function runDemoCommand(config: { address: string; port: number }): Promise<number> {
  let demo: DemoServer;
  try {
    demo = await startDemo({ address: config.address, port: config.port });
  } catch (error) {
    process.stderr.write(`fault demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(welcomeText(demo.address, demo.port, demo.server));
  const signal = await nextTerminationSignal();
  process.stdout.write(`\nfault demo: ${signal} received, shutting down\n`);
  await demo.close();
  return 0;
}

/** Waits for SIGINT or SIGTERM; our handlers stay only until then, so a second Ctrl+C kills as usual. */
function nextTerminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
