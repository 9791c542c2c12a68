// `run` flags of the timeout fault and their translation into a TimeoutFaultSpec.

import type { Direction, Side, TimeoutFaultSpec } from '../../config/types';
import { parseChoice, parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';
import { parseFaultTime } from '../../config/duration';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = {
  flags: '--with-timeout',
  description: 'enable the timeout fault: traffic stalls, then the connection is closed',
  env: 'FAULT_WITH_TIMEOUT',
};
const after: OptionSpec = {
  flags: '--timeout-after <duration|ms>',
  description: 'how long after a connection (or HTTP exchange) opens it is closed; 0 = stall, never close',
  env: 'FAULT_TIMEOUT_AFTER',
  defaultValue: '0',
};
const side: OptionSpec = {
  flags: '--timeout-side <side>',
  description: 'side of the proxy where traffic stalls: client or server',
  env: 'FAULT_TIMEOUT_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--timeout-direction <direction>',
  description: 'traffic direction that stalls: ingress, egress or both',
  env: 'FAULT_TIMEOUT_DIRECTION',
  defaultValue: 'ingress',
};
const probability: OptionSpec = {
  flags: '--timeout-probability <p>',
  description: 'chance, drawn once per connection or HTTP exchange, that it stalls (0..1)',
  env: 'FAULT_TIMEOUT_PROBABILITY',
  defaultValue: '1',
};
const schedule: OptionSpec = {
  flags: '--timeout-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_TIMEOUT_SCHED',
};

export const timeoutFlags: FaultFlagGroup = {
  id: 'timeout',
  enable,
  schedule,
  parameters: [after, side, direction, probability],
  toFaultSpec: toTimeoutFaultSpec,
};

function toTimeoutFaultSpec(reader: OptionReader): TimeoutFaultSpec {
  return {
    kind: 'timeout',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    afterMs: reader.valueOrDefault(after, parseFaultTime),
    probability: reader.valueOrDefault(probability, parseProbability),
  };
}
