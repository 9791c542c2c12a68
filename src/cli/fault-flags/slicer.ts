// `run` flags of the slicer fault (toxiproxy's slicer toxic) and their translation into a
// SlicerFaultSpec.

import { parseFaultTime } from '../../config/duration';
import type { Direction, Side, SlicerFaultSpec } from '../../config/types';
import {
  parseChoice,
  parsePositiveInteger,
  parseProbability,
  parseUnsignedInteger,
} from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import { UsageError } from '../usage-error';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = { flags: '--with-slicer', description: 'enable the slicer fault', env: 'FAULT_WITH_SLICER' };
const side: OptionSpec = {
  flags: '--slicer-side <side>',
  description: 'side of the proxy where data is sliced: client or server',
  env: 'FAULT_SLICER_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--slicer-direction <direction>',
  description: 'traffic direction that is sliced: ingress, egress or both',
  env: 'FAULT_SLICER_DIRECTION',
  defaultValue: 'ingress',
};
const averageSize: OptionSpec = {
  flags: '--slicer-average-size <bytes>',
  description: 'average size of a slice, in bytes',
  env: 'FAULT_SLICER_AVERAGE_SIZE',
  defaultValue: '64',
};
const sizeVariation: OptionSpec = {
  flags: '--slicer-size-variation <bytes>',
  description: 'slice sizes vary uniformly by up to this many bytes either way; below the average size',
  env: 'FAULT_SLICER_SIZE_VARIATION',
  defaultValue: '0',
};
const delay: OptionSpec = {
  flags: '--slicer-delay <duration>',
  description: 'pause between two slices: milliseconds (e.g. 10) or a duration (e.g. 10ms, 1s)',
  env: 'FAULT_SLICER_DELAY',
  defaultValue: '10ms',
};
const probability: OptionSpec = {
  flags: '--slicer-probability <p>',
  description: 'chance that a connection or HTTP exchange is sliced, 0.0 to 1.0',
  env: 'FAULT_SLICER_PROBABILITY',
  defaultValue: '1',
};
const schedule: OptionSpec = {
  flags: '--slicer-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_SLICER_SCHED',
};

export const slicerFlags: FaultFlagGroup = {
  id: 'slicer',
  enable,
  schedule,
  parameters: [side, direction, averageSize, sizeVariation, delay, probability],
  toFaultSpec: toSlicerFaultSpec,
};

function toSlicerFaultSpec(reader: OptionReader): SlicerFaultSpec {
  const average = reader.valueOrDefault(averageSize, parsePositiveInteger);
  const variation = reader.valueOrDefault(sizeVariation, parseUnsignedInteger);
  if (variation >= average) {
    const origin = reader.raw(sizeVariation)?.origin ?? '--slicer-size-variation';
    throw UsageError.about(origin, `Must be smaller than the average size (${average}).`);
  }
  return {
    kind: 'slicer',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    averageSize: average,
    sizeVariation: variation,
    delayMs: reader.valueOrDefault(delay, parseFaultTime),
    probability: reader.valueOrDefault(probability, parseProbability),
  };
}
