// `run` flags of the blackhole fault (spec §2.4.4) and their translation into a BlackholeFaultSpec.

import type { BlackholeFaultSpec, Direction, Side } from '../../config/types';
import { parseChoice } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = {
  flags: '--with-blackhole',
  description: 'enable the blackhole fault: traffic vanishes, connections stay open',
  env: 'FAULT_WITH_BLACKHOLE',
};
const side: OptionSpec = {
  flags: '--blackhole-side <side>',
  description: 'side of the proxy where traffic vanishes: client or server',
  env: 'FAULT_BLACKHOLE_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--blackhole-direction <direction>',
  description: 'traffic direction that vanishes: ingress, egress or both',
  env: 'FAULT_BLACKHOLE_DIRECTION',
  defaultValue: 'ingress',
};
const schedule: OptionSpec = {
  flags: '--blackhole-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s'; connections open when a window ends are reset",
  env: 'FAULT_BLACKHOLE_SCHED',
};

export const blackholeFlags: FaultFlagGroup = {
  id: 'blackhole',
  enable,
  schedule,
  parameters: [side, direction],
  toFaultSpec: (reader: OptionReader): BlackholeFaultSpec => ({
    kind: 'blackhole',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
  }),
};
