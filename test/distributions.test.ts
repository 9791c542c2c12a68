// Statistical checks of the latency distributions and the seeded random streams.
//
// Every check draws from a fixed seed, so results are deterministic; tolerances are still set
// at 4 standard errors of the statistic for the sample size, so that any other seed (or a
// change of generator) passes with probability > 99.99% per check and a real bug does not.
//   mean      ±4·σ/√n
//   stddev    ±4·σ·√((κ−1)/(4n)), κ the kurtosis (the delta-method standard error of s)
//   quantile  the share of samples ≤ the analytic q-quantile is q ± 4·√(q(1−q)/n), which is
//             distribution-free (binomial) and needs no density at the quantile
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { LatencySampling } from '../src/config/types';
import {
  createLatencySampler,
  describeLatencySampling,
  expectedMean,
  validateLatencySampling,
} from '../src/faults/latency-sampler';
import { createRandom, type Random } from '../src/faults/random';

const SAMPLES = 10_000;
const STANDARD_ERRORS = 4;

function params(overrides: Partial<LatencySampling> & Pick<LatencySampling, 'distribution'>): LatencySampling {
  return { mean: 0, stddev: 0, shape: 0, scale: 0, min: 0, max: 0, ...overrides };
}

function draw(sampling: LatencySampling, seed: number, count = SAMPLES): number[] {
  const sample = createLatencySampler(sampling, createRandom(seed));
  return Array.from({ length: count }, sample);
}

function meanOf(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function stddevOf(values: number[]): number {
  const mean = meanOf(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

function shareAtMost(values: number[], limit: number): number {
  return values.filter((value) => value <= limit).length / values.length;
}

function sortedQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function assertWithin(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${expected} ± ${tolerance}`);
}

function assertMean(values: number[], expected: number, sigma: number): void {
  assertWithin(meanOf(values), expected, (STANDARD_ERRORS * sigma) / Math.sqrt(values.length), 'mean');
}

function assertStddev(values: number[], expected: number, kurtosis: number): void {
  const standardError = expected * Math.sqrt((kurtosis - 1) / (4 * values.length));
  assertWithin(stddevOf(values), expected, STANDARD_ERRORS * standardError, 'stddev');
}

/** The empirical CDF at the analytic q-quantile must be q within its binomial error. */
function assertQuantile(values: number[], q: number, analyticQuantile: number, extraTolerance = 0): void {
  const tolerance = STANDARD_ERRORS * Math.sqrt((q * (1 - q)) / values.length) + extraTolerance;
  const share = shareAtMost(values, analyticQuantile);
  assert.ok(
    Math.abs(share - q) <= tolerance,
    `p${q * 100}: ${share} of samples ≤ ${analyticQuantile} (sample quantile ${sortedQuantile(values, q)}), expected ${q} ± ${tolerance}`,
  );
}

function firstDraws(random: Random, count = 1000): number[] {
  return Array.from({ length: count }, () => random.next());
}

/** Standard normal quantiles used below. */
const Z_90 = 1.2815515655446004;
const Z_99 = 2.3263478740408408;

describe('uniform latency', () => {
  const values = draw(params({ distribution: 'uniform', min: 10, max: 50 }), 1);

  it('matches U[min, max): mean, spread, quantiles, bounds', () => {
    const sigma = 40 / Math.sqrt(12);
    assertMean(values, 30, sigma);
    assertStddev(values, sigma, 1.8);
    for (const q of [0.1, 0.5, 0.9]) assertQuantile(values, q, 10 + 40 * q);
    assert.ok(Math.min(...values) >= 10 && Math.max(...values) < 50);
  });
});

describe('normal latency', () => {
  // Mean 7.5 σ above 0, so redrawing negatives changes nothing measurable (P < 1e-13).
  const values = draw(params({ distribution: 'normal', mean: 300, stddev: 40 }), 2);

  it('matches N(mean, stddev): mean, spread, quantiles', () => {
    assertMean(values, 300, 40);
    assertStddev(values, 40, 3);
    assertQuantile(values, 0.5, 300);
    assertQuantile(values, 0.9, 300 + Z_90 * 40);
    assertQuantile(values, 0.99, 300 + Z_99 * 40);
    assertQuantile(values, 0.1, 300 - Z_90 * 40);
  });

  it('redraws negatives instead of clamping them to 0', () => {
    const near = draw(params({ distribution: 'normal', mean: 5, stddev: 50 }), 3);
    assert.ok(Math.min(...near) >= 0);
    assert.ok(shareAtMost(near, 0) === 0, 'no pile-up at exactly 0');
    // Truncating a normal only shrinks its spread, so 50 bounds the standard error.
    assertMean(near, expectedMean(params({ distribution: 'normal', mean: 5, stddev: 50 })) as number, 50);
  });

  it('is the constant mean when stddev is 0', () => {
    assert.deepEqual(new Set(draw(params({ distribution: 'normal', mean: 42, stddev: 0 }), 4, 100)), new Set([42]));
  });
});

describe('pareto latency', () => {
  // Shape 5: the fourth moment is finite, so the sample stddev has a usable standard error.
  const scale = 20;
  const shape = 5;
  const values = draw(params({ distribution: 'pareto', scale, shape }), 5);
  const quantile = (q: number) => scale * (1 - q) ** (-1 / shape);

  it('matches Pareto(scale, shape): mean, spread, quantiles, lower bound', () => {
    const mean = (shape * scale) / (shape - 1);
    const sigma = Math.sqrt((scale * scale * shape) / ((shape - 1) ** 2 * (shape - 2)));
    const excessKurtosis = (6 * (shape ** 3 + shape ** 2 - 6 * shape - 2)) / (shape * (shape - 3) * (shape - 4));
    assertMean(values, mean, sigma);
    assertStddev(values, sigma, 3 + excessKurtosis);
    for (const q of [0.5, 0.9, 0.99]) assertQuantile(values, q, quantile(q));
    assert.ok(Math.min(...values) >= scale);
  });

  it('has exponential log-spread: ln(x/scale) ~ Exp(shape)', () => {
    const logs = values.map((value) => Math.log(value / scale));
    assertMean(logs, 1 / shape, 1 / shape);
    assertStddev(logs, 1 / shape, 9);
  });

  it('keeps its heavy tail for shape ≤ 2 (quantiles only: the variance is infinite)', () => {
    const heavy = draw(params({ distribution: 'pareto', scale: 10, shape: 1.2 }), 6);
    for (const q of [0.5, 0.9, 0.99]) assertQuantile(heavy, q, 10 * (1 - q) ** (-1 / 1.2));
  });
});

describe('pareto-normal latency', () => {
  const sampling = params({ distribution: 'pareto-normal', scale: 20, shape: 3, mean: 100, stddev: 20 });
  const values = draw(sampling, 7);

  it('has the mean of the sum of its parts, and never goes below the Pareto scale', () => {
    // Pareto(20, 3): mean 30, variance 300; N(100, 20): variance 400, negatives 5σ away.
    assertMean(values, 130, Math.sqrt(300 + 400));
    // The truncation at 0 adds σ·φ(5)/Φ(5) ≈ 3e-5 ms.
    assertWithin(expectedMean(sampling) as number, 130 + 20 * 1.4867195147e-6, 1e-9, 'expectedMean');
    assert.ok(Math.min(...values) >= 20);
  });

  it('matches quantiles of a 200k-sample brute-force reference drawn from another seed', () => {
    const reference = draw(sampling, 1_000_003, 200_000);
    // The reference quantile is itself off by up to 4·√(q(1−q)/200000) in CDF terms.
    for (const q of [0.5, 0.9]) {
      const referenceError = STANDARD_ERRORS * Math.sqrt((q * (1 - q)) / reference.length);
      assertQuantile(values, q, sortedQuantile(reference, q), referenceError);
    }
  });

  it('redraws a negative normal part, so samples stay ≥ the scale even with mean 0', () => {
    const spread = draw(params({ distribution: 'pareto-normal', scale: 5, shape: 2, mean: 0, stddev: 50 }), 8);
    assert.ok(Math.min(...spread) >= 5);
  });
});

describe('latency samples', () => {
  it('are never negative, whatever the distribution', () => {
    const cases = [
      params({ distribution: 'normal', mean: 0, stddev: 10 }),
      params({ distribution: 'uniform', min: 0, max: 1 }),
      params({ distribution: 'pareto', scale: 0.001, shape: 0.5 }),
      params({ distribution: 'pareto-normal', scale: 0.001, shape: 1, mean: 0, stddev: 100 }),
    ];
    for (const sampling of cases) {
      const values = draw(sampling, 9, 5000);
      assert.ok(values.every((value) => value >= 0 && !Number.isNaN(value)), describeLatencySampling(sampling));
    }
  });

  it('repeat exactly for the same seed and differ for another', () => {
    const sampling = params({ distribution: 'pareto-normal', scale: 20, shape: 2, mean: 50, stddev: 10 });
    assert.deepEqual(draw(sampling, 10, 500), draw(sampling, 10, 500));
    assert.notDeepEqual(draw(sampling, 10, 500), draw(sampling, 11, 500));
  });

  it('refuse invalid parameters', () => {
    assert.throws(() => createLatencySampler(params({ distribution: 'uniform', min: 5, max: 5 }), createRandom(1)), RangeError);
  });
});

describe('createRandom', () => {
  it('repeats the same sequence for the same seed, uniform and normal draws alike', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    assert.deepEqual(firstDraws(a), firstDraws(b));
    const normals = (random: Random) => Array.from({ length: 101 }, () => random.normal(0, 1));
    assert.deepEqual(normals(a), normals(b));
  });

  it('gives different sequences for different seeds, including negative ones', () => {
    assert.notDeepEqual(firstDraws(createRandom(42)), firstDraws(createRandom(43)));
    assert.notDeepEqual(firstDraws(createRandom(-1)), firstDraws(createRandom(2 ** 32 - 1)));
    assert.notDeepEqual(firstDraws(createRandom(1)), firstDraws(createRandom(2 ** 32 + 1)));
  });

  it('seeds from the OS without a seed', () => {
    assert.notDeepEqual(firstDraws(createRandom()), firstDraws(createRandom()));
  });

  it('draws in [0, 1) and uniformly', () => {
    const values = firstDraws(createRandom(12), SAMPLES);
    assert.ok(values.every((value) => value >= 0 && value < 1));
    assertMean(values, 0.5, Math.sqrt(1 / 12));
  });

  it('rejects seeds that are not safe integers', () => {
    assert.throws(() => createRandom(1.5), RangeError);
    assert.throws(() => createRandom(Number.NaN), RangeError);
  });
});

describe('Random.fork', () => {
  it('gives different streams for different ids, and differs from the parent', () => {
    const parent = createRandom(42);
    const streams = [0, 1, 2, 1000, 2 ** 32, 2 ** 40].map((id) => firstDraws(createRandom(42).fork(id)).join());
    assert.equal(new Set(streams).size, streams.length);
    assert.ok(!streams.includes(firstDraws(parent).join()));
  });

  it('is reproducible and does not depend on what the parent drew before', () => {
    const untouched = createRandom(7);
    const used = createRandom(7);
    firstDraws(used, 123);
    assert.deepEqual(firstDraws(untouched.fork(3)), firstDraws(used.fork(3)));
    // Nested forks (shard → connection) are reproducible too.
    assert.deepEqual(firstDraws(createRandom(7).fork(1).fork(99)), firstDraws(createRandom(7).fork(1).fork(99)));
    assert.notDeepEqual(firstDraws(createRandom(7).fork(1).fork(99)), firstDraws(createRandom(7).fork(2).fork(99)));
  });

  it('gives uncorrelated neighbouring streams', () => {
    const a = firstDraws(createRandom(5).fork(1), SAMPLES);
    const b = firstDraws(createRandom(5).fork(2), SAMPLES);
    const meanA = meanOf(a);
    const meanB = meanOf(b);
    let covariance = 0;
    for (let i = 0; i < SAMPLES; i++) covariance += (a[i] - meanA) * (b[i] - meanB);
    const correlation = covariance / ((SAMPLES - 1) * stddevOf(a) * stddevOf(b));
    // Under independence the sample correlation has standard error 1/√n.
    assert.ok(Math.abs(correlation) <= STANDARD_ERRORS / Math.sqrt(SAMPLES), `correlation ${correlation}`);
  });

  it('rejects ids that are not non-negative safe integers', () => {
    assert.throws(() => createRandom(1).fork(-1), RangeError);
    assert.throws(() => createRandom(1).fork(0.5), RangeError);
  });
});

describe('validateLatencySampling', () => {
  const problem = (overrides: Partial<LatencySampling> & Pick<LatencySampling, 'distribution'>) =>
    validateLatencySampling(params(overrides));

  it('accepts sound parameters', () => {
    assert.equal(problem({ distribution: 'normal', mean: 300, stddev: 40 }), undefined);
    assert.equal(problem({ distribution: 'normal', mean: 0, stddev: 40 }), undefined);
    assert.equal(problem({ distribution: 'normal', mean: 10, stddev: 0 }), undefined);
    assert.equal(problem({ distribution: 'uniform', min: 0, max: 10 }), undefined);
    assert.equal(problem({ distribution: 'pareto', shape: 1.5, scale: 20 }), undefined);
    assert.equal(problem({ distribution: 'pareto-normal', shape: 1.5, scale: 20 }), undefined);
  });

  const badCases: Array<[string, Partial<LatencySampling> & Pick<LatencySampling, 'distribution'>, string]> = [
    ['normal with a negative mean', { distribution: 'normal', mean: -1, stddev: 5 }, '--latency-mean'],
    ['normal with a NaN mean', { distribution: 'normal', mean: Number.NaN, stddev: 5 }, '--latency-mean'],
    ['normal with a negative stddev', { distribution: 'normal', mean: 10, stddev: -1 }, '--latency-stddev'],
    ['uniform with a negative min', { distribution: 'uniform', min: -1, max: 10 }, '--latency-min'],
    ['uniform with a negative max', { distribution: 'uniform', min: 0, max: -1 }, '--latency-max'],
    ['uniform with max = min', { distribution: 'uniform', min: 5, max: 5 }, '--latency-max'],
    ['uniform with max < min', { distribution: 'uniform', min: 50, max: 10 }, '--latency-max'],
    ['pareto with shape 0', { distribution: 'pareto', shape: 0, scale: 20 }, '--latency-shape'],
    ['pareto with a negative scale', { distribution: 'pareto', shape: 2, scale: -20 }, '--latency-scale'],
    ['pareto with scale 0', { distribution: 'pareto', shape: 2, scale: 0 }, '--latency-scale'],
    ['pareto-normal with shape 0', { distribution: 'pareto-normal', shape: 0, scale: 20 }, '--latency-shape'],
    ['pareto-normal with scale 0', { distribution: 'pareto-normal', shape: 2, scale: 0 }, '--latency-scale'],
    ['pareto-normal with a negative mean', { distribution: 'pareto-normal', shape: 2, scale: 20, mean: -5 }, '--latency-mean'],
    ['pareto-normal with a negative stddev', { distribution: 'pareto-normal', shape: 2, scale: 20, stddev: -5 }, '--latency-stddev'],
  ];
  for (const [name, overrides, flag] of badCases) {
    it(`names ${flag} for ${name}`, () => {
      const message = problem(overrides) ?? '';
      assert.ok(message.includes(flag), `got '${message}'`);
      assert.ok(!message.includes('\n'), 'one line');
    });
  }

  it('requires a positive mean for a normal distribution without spread', () => {
    assert.equal(problem({ distribution: 'normal', mean: 0, stddev: 0 }), '--latency-mean must be > 0 for the normal distribution');
  });
});

describe('describeLatencySampling and expectedMean', () => {
  it('describes each distribution in one line', () => {
    assert.equal(describeLatencySampling(params({ distribution: 'normal', mean: 300, stddev: 40 })), 'normal(mean 300 ms, stddev 40 ms)');
    assert.equal(describeLatencySampling(params({ distribution: 'uniform', min: 10, max: 50.5 })), 'uniform(min 10 ms, max 50.5 ms)');
    assert.equal(describeLatencySampling(params({ distribution: 'pareto', scale: 20, shape: 1.5 })), 'pareto(scale 20 ms, shape 1.5)');
    assert.equal(
      describeLatencySampling(params({ distribution: 'pareto-normal', scale: 20, shape: 1.5, mean: 100, stddev: 10 })),
      'pareto-normal(scale 20 ms, shape 1.5, mean 100 ms, stddev 10 ms)',
    );
  });

  it('gives analytic means, undefined when infinite', () => {
    assert.equal(expectedMean(params({ distribution: 'uniform', min: 10, max: 50 })), 30);
    assertWithin(expectedMean(params({ distribution: 'normal', mean: 300, stddev: 40 })) as number, 300, 1e-9, 'normal');
    // Half-normal: σ·√(2/π).
    assertWithin(expectedMean(params({ distribution: 'normal', mean: 0, stddev: 10 })) as number, 10 * Math.sqrt(2 / Math.PI), 1e-6, 'half-normal');
    assert.equal(expectedMean(params({ distribution: 'pareto', scale: 20, shape: 3 })), 30);
    assert.equal(expectedMean(params({ distribution: 'pareto', scale: 20, shape: 1 })), undefined);
    assert.equal(expectedMean(params({ distribution: 'pareto-normal', scale: 20, shape: 0.8, mean: 5, stddev: 1 })), undefined);
  });

  it('agrees with sampling where the truncation matters', () => {
    const sampling = params({ distribution: 'normal', mean: 10, stddev: 20 });
    assertMean(draw(sampling, 13), expectedMean(sampling) as number, 20);
  });
});
