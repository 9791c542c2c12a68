// `run` flags of the reset-peer fault and their translation into a ResetPeerFaultSpec.

import { parseFaultTime } from '../../config/duration';
import type { ResetPeerFaultSpec } from '../../config/types';
import { parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';

const enable: OptionSpec = {
  flags: '--with-reset-peer',
  description: 'enable the reset-peer fault: connections are reset (RST to both peers)',
  env: 'FAULT_WITH_RESET_PEER',
};
const after: OptionSpec = {
  flags: '--reset-peer-after <duration|ms>',
  description: 'how long after a connection (or HTTP exchange) opens it is reset; 0 = straight away',
  env: 'FAULT_RESET_PEER_AFTER',
  defaultValue: '0',
};
const probability: OptionSpec = {
  flags: '--reset-peer-probability <p>',
  description: 'chance, drawn once per connection or HTTP exchange, that it is reset (0..1)',
  env: 'FAULT_RESET_PEER_PROBABILITY',
  defaultValue: '1',
};
const schedule: OptionSpec = {
  flags: '--reset-peer-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_RESET_PEER_SCHED',
};

export const resetPeerFlags: FaultFlagGroup = {
  id: 'reset-peer',
  enable,
  schedule,
  parameters: [after, probability],
  toFaultSpec: toResetPeerFaultSpec,
};

function toResetPeerFaultSpec(reader: OptionReader): ResetPeerFaultSpec {
  return {
    kind: 'reset-peer',
    afterMs: reader.valueOrDefault(after, parseFaultTime),
    probability: reader.valueOrDefault(probability, parseProbability),
  };
}
