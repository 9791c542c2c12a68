// `run` flags of the limit-data fault and their translation into a LimitDataFaultSpec.

import type { Direction, LimitDataFaultSpec, Side } from '../../config/types';
import { parseChoice, parsePositiveInteger, parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import { UsageError } from '../usage-error';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = {
  flags: '--with-limit-data',
  description: 'enable the limit-data fault: connections are closed after a number of bytes',
  env: 'FAULT_WITH_LIMIT_DATA',
};
const bytes: OptionSpec = {
  flags: '--limit-data-bytes <n>',
  description: 'bytes a connection (or HTTP exchange) may carry on the selected flows before it is closed',
  env: 'FAULT_LIMIT_DATA_BYTES',
};
const side: OptionSpec = {
  flags: '--limit-data-side <side>',
  description: 'side of the proxy where bytes are counted: client or server',
  env: 'FAULT_LIMIT_DATA_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--limit-data-direction <direction>',
  description: 'traffic direction that is counted: ingress, egress or both (one shared count)',
  env: 'FAULT_LIMIT_DATA_DIRECTION',
  defaultValue: 'ingress',
};
const probability: OptionSpec = {
  flags: '--limit-data-probability <p>',
  description: 'chance, drawn once per connection or HTTP exchange, that it is limited (0..1)',
  env: 'FAULT_LIMIT_DATA_PROBABILITY',
  defaultValue: '1',
};
const schedule: OptionSpec = {
  flags: '--limit-data-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_LIMIT_DATA_SCHED',
};

export const limitDataFlags: FaultFlagGroup = {
  id: 'limit-data',
  enable,
  schedule,
  parameters: [bytes, side, direction, probability],
  toFaultSpec: toLimitDataFaultSpec,
};

function toLimitDataFaultSpec(reader: OptionReader): LimitDataFaultSpec {
  const limit = reader.value(bytes, parsePositiveInteger);
  if (limit === undefined) {
    throw new UsageError('--with-limit-data needs --limit-data-bytes <n> (or FAULT_LIMIT_DATA_BYTES).');
  }
  return {
    kind: 'limit-data',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    bytes: limit,
    probability: reader.valueOrDefault(probability, parseProbability),
  };
}
