// Runs every micro-benchmark in sequence: `node dist/bench/micro/index.js`.
// JSON results go to bench/results/micro-*.json at the repository root.
import { join, resolve } from 'node:path';
import { runDistributionBenchmarks } from './distributions.bench';
import { runHdrBenchmarks } from './hdr.bench';
import { runHttpHeaderBenchmarks } from './http-headers.bench';
import { runPumpBenchmarks } from './pump.bench';
import { runTimerWheelBenchmarks } from './timer-wheel.bench';

/** Resolved from the compiled file (dist/bench/micro/), whatever the current directory is. */
const RESULTS_FOLDER = join(resolve(__dirname, '..', '..', '..'), 'bench', 'results');

export async function runMicroBenchmarks(resultsFolder = RESULTS_FOLDER): Promise<void> {
  await runTimerWheelBenchmarks(resultsFolder);
  await runDistributionBenchmarks(resultsFolder);
  await runHdrBenchmarks(resultsFolder);
  await runPumpBenchmarks(resultsFolder);
  await runHttpHeaderBenchmarks(resultsFolder);
}

if (require.main === module) {
  const started = Date.now();
  runMicroBenchmarks().then(
    () => console.log(`\nmicro benchmarks done in ${((Date.now() - started) / 1000).toFixed(1)} s`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
