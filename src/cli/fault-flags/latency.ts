// `run` flags of the latency fault (spec §2.4.4) and their translation into a LatencyFaultSpec.

import type { Direction, LatencyDistribution, LatencyFaultSpec, LatencySampling, Side } from '../../config/types';
import { parseChoice, parseNonNegativeNumber } from '../../config/validate';
import { validateLatencySampling } from '../../faults/latency-sampler';
import type { OptionReader, OptionSpec } from '../options';
import { UsageError } from '../usage-error';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];
const DISTRIBUTIONS: readonly LatencyDistribution[] = ['normal', 'uniform', 'pareto', 'pareto-normal'];
// Spellings used by the original documentation.
const DISTRIBUTION_ALIASES: Readonly<Record<string, LatencyDistribution>> = {
  pareto_normal: 'pareto-normal',
  paretonormal: 'pareto-normal',
};

const enable: OptionSpec = { flags: '--with-latency', description: 'enable the latency fault', env: 'FAULT_WITH_LATENCY' };
const perReadWrite: OptionSpec = {
  flags: '--latency-per-read-write',
  description: 'a new delay for every read/write instead of once per connection or exchange',
  env: 'FAULT_LATENCY_PER_READ_WRITE',
};
const side: OptionSpec = {
  flags: '--latency-side <side>',
  description: 'side of the proxy where the delay applies: client or server',
  env: 'FAULT_LATENCY_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--latency-direction <direction>',
  description: 'traffic direction that is delayed: ingress, egress or both',
  env: 'FAULT_LATENCY_DIRECTION',
  defaultValue: 'ingress',
};
const distribution: OptionSpec = {
  flags: '--latency-distribution <name>',
  description: 'how delays are sampled: normal, uniform, pareto or pareto-normal',
  env: 'FAULT_LATENCY_DISTRIBUTION',
  defaultValue: 'normal',
};
const mean: OptionSpec = { flags: '--latency-mean <ms>', description: 'mean delay (normal, pareto-normal)', env: 'FAULT_LATENCY_MEAN' };
const stddev: OptionSpec = {
  flags: '--latency-stddev <ms>',
  description: 'standard deviation (normal, pareto-normal)',
  env: 'FAULT_LATENCY_STANDARD_DEVIATION',
};
const shape: OptionSpec = { flags: '--latency-shape <n>', description: 'shape (pareto, pareto-normal)', env: 'FAULT_LATENCY_SHAPE' };
const scale: OptionSpec = { flags: '--latency-scale <ms>', description: 'scale (pareto, pareto-normal)', env: 'FAULT_LATENCY_SCALE' };
const min: OptionSpec = { flags: '--latency-min <ms>', description: 'lower bound (uniform)', env: 'FAULT_LATENCY_MIN' };
const max: OptionSpec = { flags: '--latency-max <ms>', description: 'upper bound (uniform)', env: 'FAULT_LATENCY_MAX' };
const schedule: OptionSpec = {
  flags: '--latency-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_LATENCY_SCHED',
};

export const latencyFlags: FaultFlagGroup = {
  id: 'latency',
  enable,
  schedule,
  parameters: [perReadWrite, side, direction, distribution, mean, stddev, shape, scale, min, max],
  toFaultSpec: toLatencyFaultSpec,
};

function toLatencyFaultSpec(reader: OptionReader): LatencyFaultSpec {
  // Unset numbers are 0 so the sampler validation below can name the missing flag.
  const milliseconds = (spec: OptionSpec): number => reader.value(spec, parseNonNegativeNumber) ?? 0;
  const sampling: LatencySampling = {
    distribution: reader.valueOrDefault(distribution, (text) => parseChoice(text, DISTRIBUTIONS, DISTRIBUTION_ALIASES)),
    mean: milliseconds(mean),
    stddev: milliseconds(stddev),
    shape: milliseconds(shape),
    scale: milliseconds(scale),
    min: milliseconds(min),
    max: milliseconds(max),
  };
  const problem = validateLatencySampling(sampling);
  if (problem !== undefined) throw new UsageError(problem);

  return {
    kind: 'latency',
    ...sampling,
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    perReadWrite: reader.flag(perReadWrite),
  };
}
