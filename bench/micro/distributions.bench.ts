// Sampling throughput of each latency distribution, next to the raw generator it draws from.
import { add, complete, cycle, save, suite } from 'benny';
import type { LatencySampling } from '../../src/config/types';
import { createLatencySampler } from '../../src/faults/latency-sampler';
import { createRandom } from '../../src/faults/random';

/** Per-case time limit: keeps the whole micro run within its one-minute budget. */
const CASE_OPTIONS = { maxTime: 1, minSamples: 10 };
const SEED = 1;

const DISTRIBUTIONS: Record<string, LatencySampling> = {
  'normal(300, 40)': { distribution: 'normal', mean: 300, stddev: 40, shape: 0, scale: 0, min: 0, max: 0 },
  // Half of the draws are negative and redrawn: the worst case of the rejection loop.
  'normal(0, 40)': { distribution: 'normal', mean: 0, stddev: 40, shape: 0, scale: 0, min: 0, max: 0 },
  'uniform(10, 50)': { distribution: 'uniform', mean: 0, stddev: 0, shape: 0, scale: 0, min: 10, max: 50 },
  'pareto(20, 1.5)': { distribution: 'pareto', mean: 0, stddev: 0, shape: 1.5, scale: 20, min: 0, max: 0 },
  'pareto-normal(20, 1.5, 100, 20)': { distribution: 'pareto-normal', mean: 100, stddev: 20, shape: 1.5, scale: 20, min: 0, max: 0 },
};

/** Samples per second of every distribution; results land in `resultsFolder`. */
export async function runDistributionBenchmarks(resultsFolder: string): Promise<void> {
  const random = createRandom(SEED);
  // Results go into a sink so that the JIT cannot drop the draws as dead code.
  let sink = 0;
  const cases = Object.entries(DISTRIBUTIONS).map(([name, sampling]) => {
    const sample = createLatencySampler(sampling, createRandom(SEED));
    return add(name, () => {
      sink += sample();
    }, CASE_OPTIONS);
  });
  await suite(
    'latency distributions: one sample',
    add('random.next() (baseline)', () => {
      sink += random.next();
    }, CASE_OPTIONS),
    ...cases,
    cycle(),
    complete(),
    save({ file: 'micro-distributions', folder: resultsFolder, format: 'json' }),
  );
  if (Number.isNaN(sink)) console.log('unreachable: keeps the sink alive');
}
