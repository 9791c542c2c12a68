// `run` flags of the slow-close fault and their translation into a SlowCloseFaultSpec.

import type { Direction, Side, SlowCloseFaultSpec } from '../../config/types';
import { parseChoice, parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';
import { parseFaultTime } from '../../config/duration';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = {
  flags: '--with-slow-close',
  description: 'enable the slow-close fault: the end of a stream (FIN) is held back',
  env: 'FAULT_WITH_SLOW_CLOSE',
};
const delay: OptionSpec = {
  flags: '--slow-close-delay <duration|ms>',
  description: 'how long the end of the stream is held back (data before it is not delayed)',
  env: 'FAULT_SLOW_CLOSE_DELAY',
  defaultValue: '1s',
};
const side: OptionSpec = {
  flags: '--slow-close-side <side>',
  description: 'side of the proxy where the close is held back: client or server',
  env: 'FAULT_SLOW_CLOSE_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--slow-close-direction <direction>',
  description: 'traffic direction whose close is held back: ingress, egress or both',
  env: 'FAULT_SLOW_CLOSE_DIRECTION',
  defaultValue: 'ingress',
};
const probability: OptionSpec = {
  flags: '--slow-close-probability <p>',
  description: 'chance, drawn once per connection or HTTP exchange, that it closes slowly (0..1)',
  env: 'FAULT_SLOW_CLOSE_PROBABILITY',
  defaultValue: '1',
};
const schedule: OptionSpec = {
  flags: '--slow-close-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_SLOW_CLOSE_SCHED',
};

export const slowCloseFlags: FaultFlagGroup = {
  id: 'slow-close',
  enable,
  schedule,
  parameters: [delay, side, direction, probability],
  toFaultSpec: toSlowCloseFaultSpec,
};

function toSlowCloseFaultSpec(reader: OptionReader): SlowCloseFaultSpec {
  return {
    kind: 'slow-close',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    delayMs: reader.valueOrDefault(delay, parseFaultTime),
    probability: reader.valueOrDefault(probability, parseProbability),
  };
}
