// Latency distributions: validation of their parameters, sampling, and how they read in the prelude.
//
//   normal         N(mean, stddev), redrawn until ≥ 0 (rejection keeps the shape; clamping
//                  would pile every negative draw up at exactly 0 ms)
//   uniform        U[min, max)
//   pareto         Pareto(scale xm, shape α) by inverse CDF: xm / U^(1/α), always ≥ xm
//   pareto-normal  Pareto(scale, shape) + N(mean, stddev), the normal part redrawn until ≥ 0
import type { LatencySampling } from '../config/types';
import type { Random } from './random';

/**
 * Returns a function drawing one delay in ms (a float ≥ 0) per call from `random`.
 * Throws a RangeError when the parameters are invalid (see validateLatencySampling).
 */
export function createLatencySampler(params: LatencySampling, random: Random): () => number {
  const problem = validateLatencySampling(params);
  if (problem !== undefined) throw new RangeError(problem);
  const { mean, stddev, scale, shape, min, max } = params;
  switch (params.distribution) {
    case 'normal':
      return () => nonNegativeNormal(random, mean, stddev);
    case 'uniform':
      return () => min + (max - min) * random.next();
    case 'pareto':
      return () => pareto(random, scale, shape);
    case 'pareto-normal':
      return () => pareto(random, scale, shape) + nonNegativeNormal(random, mean, stddev);
  }
}

function nonNegativeNormal(random: Random, mean: number, stddev: number): number {
  if (stddev === 0) return mean;
  // Validation guarantees mean ≥ 0, so each draw is accepted with probability ≥ 1/2.
  for (;;) {
    const value = random.normal(mean, stddev);
    if (value >= 0) return value;
  }
}

function pareto(random: Random, scale: number, shape: number): number {
  // 1 - next() lies in (0, 1], so the power is never a division by zero.
  return scale / Math.pow(1 - random.next(), 1 / shape);
}

/** One line naming the offending flag, or undefined when the parameters can be sampled. */
export function validateLatencySampling(params: LatencySampling): string | undefined {
  const { mean, stddev, scale, shape, min, max } = params;
  switch (params.distribution) {
    case 'normal':
      return (
        requireAtLeastZero('--latency-mean', mean) ??
        requireAtLeastZero('--latency-stddev', stddev) ??
        (mean === 0 && stddev === 0 ? '--latency-mean must be > 0 for the normal distribution' : undefined)
      );
    case 'uniform':
      return (
        requireAtLeastZero('--latency-min', min) ??
        requireAtLeastZero('--latency-max', max) ??
        (max > min ? undefined : `--latency-max must be greater than --latency-min (got min ${min}, max ${max})`)
      );
    case 'pareto':
      return requirePositive('--latency-shape', shape, 'pareto') ?? requirePositive('--latency-scale', scale, 'pareto');
    case 'pareto-normal':
      return (
        requirePositive('--latency-shape', shape, 'pareto-normal') ??
        requirePositive('--latency-scale', scale, 'pareto-normal') ??
        requireAtLeastZero('--latency-mean', mean) ??
        requireAtLeastZero('--latency-stddev', stddev)
      );
    default:
      return `unknown latency distribution '${String((params as { distribution: unknown }).distribution)}'`;
  }
}

function requireAtLeastZero(flag: string, value: number): string | undefined {
  return Number.isFinite(value) && value >= 0 ? undefined : `${flag} must be a number ≥ 0 (got ${value})`;
}

function requirePositive(flag: string, value: number, distribution: string): string | undefined {
  return Number.isFinite(value) && value > 0 ? undefined : `${flag} must be > 0 for the ${distribution} distribution (got ${value})`;
}

/** How the distribution reads in the prelude, e.g. `normal(mean 300 ms, stddev 40 ms)`. */
export function describeLatencySampling(params: LatencySampling): string {
  const { mean, stddev, scale, shape, min, max } = params;
  switch (params.distribution) {
    case 'normal':
      return `normal(mean ${ms(mean)}, stddev ${ms(stddev)})`;
    case 'uniform':
      return `uniform(min ${ms(min)}, max ${ms(max)})`;
    case 'pareto':
      return `pareto(scale ${ms(scale)}, shape ${round(shape)})`;
    case 'pareto-normal':
      return `pareto-normal(scale ${ms(scale)}, shape ${round(shape)}, mean ${ms(mean)}, stddev ${ms(stddev)})`;
  }
}

function round(value: number): string {
  return String(Number(value.toFixed(3)));
}

function ms(value: number): string {
  return `${round(value)} ms`;
}

/**
 * Mean of the sampled delays in ms, counting the redraws of negative normals; undefined when
 * it is infinite (Pareto with shape ≤ 1).
 */
export function expectedMean(params: LatencySampling): number | undefined {
  const { mean, stddev, scale, shape, min, max } = params;
  switch (params.distribution) {
    case 'normal':
      return nonNegativeNormalMean(mean, stddev);
    case 'uniform':
      return (min + max) / 2;
    case 'pareto':
      return paretoMean(scale, shape);
    case 'pareto-normal': {
      const paretoPart = paretoMean(scale, shape);
      return paretoPart === undefined ? undefined : paretoPart + nonNegativeNormalMean(mean, stddev);
    }
  }
}

function paretoMean(scale: number, shape: number): number | undefined {
  return shape > 1 ? (shape * scale) / (shape - 1) : undefined;
}

/** Mean of N(μ, σ) truncated to [0, ∞): μ + σ·φ(μ/σ)/Φ(μ/σ); here μ ≥ 0. */
function nonNegativeNormalMean(mean: number, stddev: number): number {
  if (stddev === 0) return mean;
  const z = mean / stddev;
  const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  return mean + (stddev * density) / standardNormalCdf(z);
}

/** Φ(z) for z ≥ 0, good to ~1e-9 absolute: ample for a mean shown to people. */
function standardNormalCdf(z: number): number {
  return 0.5 + 0.5 * errorFunction(z / Math.SQRT2);
}

/** erf(x) for x ≥ 0: its Maclaurin series where it converges cleanly, else 1 − asymptotic erfc. */
function errorFunction(x: number): number {
  if (x <= 3) {
    // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1)); at x ≤ 3 the largest term is ~200,
    // so cancellation costs only a few of the 16 digits.
    let power = x; // (−1)^n x^(2n+1) / n!
    let sum = x;
    for (let n = 1; n < 100; n++) {
      power *= (-x * x) / n;
      const term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) ≈ e^(−x²)/(x√π) · (1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶)); erfc(3) ≈ 2e-5 already.
  const inverseSquare = 1 / (2 * x * x);
  const series = 1 - inverseSquare * (1 - 3 * inverseSquare * (1 - 5 * inverseSquare));
  return 1 - (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * series;
}
