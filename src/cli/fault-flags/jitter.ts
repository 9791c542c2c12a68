// `run` flags of the jitter fault (spec §2.4.4) and their translation into a JitterFaultSpec.
// Unlike the original, --jitter-side is honoured and --jitter-frequency is a rate in Hz.

import type { Direction, JitterFaultSpec, Side } from '../../config/types';
import { parseChoice, parseNonNegativeNumber, parsePositiveNumber } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = { flags: '--with-jitter', description: 'enable the jitter fault', env: 'FAULT_WITH_JITTER' };
const side: OptionSpec = {
  flags: '--jitter-side <side>',
  description: 'side of the proxy where jitter applies: client or server',
  env: 'FAULT_JITTER_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--jitter-direction <direction>',
  description: 'traffic direction that is jittered: ingress, egress or both',
  env: 'FAULT_JITTER_DIRECTION',
  defaultValue: 'ingress',
};
const amplitude: OptionSpec = {
  flags: '--jitter-amplitude <ms>',
  description: 'largest delay of one jitter hit; each hit is uniform in [0, amplitude]',
  env: 'FAULT_JITTER_AMPLITUDE',
  defaultValue: '20',
};
const frequency: OptionSpec = {
  flags: '--jitter-frequency <Hz>',
  description: 'jitter hits per second, at most, on each flow of a connection',
  env: 'FAULT_JITTER_FREQ',
  defaultValue: '5',
};
const schedule: OptionSpec = {
  flags: '--jitter-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_JITTER_SCHED',
};

export const jitterFlags: FaultFlagGroup = {
  id: 'jitter',
  enable,
  schedule,
  parameters: [side, direction, amplitude, frequency],
  toFaultSpec: toJitterFaultSpec,
};

function toJitterFaultSpec(reader: OptionReader): JitterFaultSpec {
  return {
    kind: 'jitter',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    amplitudeMs: reader.valueOrDefault(amplitude, parseNonNegativeNumber),
    frequencyHz: reader.valueOrDefault(frequency, parsePositiveNumber),
  };
}
