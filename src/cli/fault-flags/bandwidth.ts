// `run` flags of the bandwidth fault (spec §2.4.4) and their translation into a BandwidthFaultSpec.

import type { BandwidthFaultSpec, BandwidthUnit, Direction, Side } from '../../config/types';
import { parseChoice, parsePositiveInteger } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import { UsageError } from '../usage-error';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];
/** Decimal multiples of one byte per second (never bits). */
const BYTES_PER_UNIT: Readonly<Record<BandwidthUnit, number>> = { Bps: 1, KBps: 1e3, MBps: 1e6, GBps: 1e9 };
const UNITS = Object.keys(BYTES_PER_UNIT) as BandwidthUnit[];

const enable: OptionSpec = { flags: '--with-bandwidth', description: 'enable the bandwidth fault', env: 'FAULT_WITH_BANDWIDTH' };
const side: OptionSpec = {
  flags: '--bandwidth-side <side>',
  description: 'side of the proxy where the limit applies: client or server',
  env: 'FAULT_BANDWIDTH_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--bandwidth-direction <direction>',
  description: 'traffic direction that is limited: ingress, egress or both',
  env: 'FAULT_BANDWIDTH_DIRECTION',
  defaultValue: 'ingress',
};
const rate: OptionSpec = {
  flags: '--bandwidth-rate <n>',
  description: 'the limit, a positive integer in --bandwidth-unit',
  env: 'FAULT_BANDWIDTH_RATE',
  defaultValue: '1000',
};
const unit: OptionSpec = {
  flags: '--bandwidth-unit <unit>',
  description:
    'unit of --bandwidth-rate: Bps, KBps, MBps or GBps, case-insensitive; decimal BYTES per second (bps and kbps mean bytes too, not bits)',
  env: 'FAULT_BANDWIDTH_UNIT',
  defaultValue: 'Bps',
};
const schedule: OptionSpec = {
  flags: '--bandwidth-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_BANDWIDTH_SCHED',
};

export const bandwidthFlags: FaultFlagGroup = {
  id: 'bandwidth',
  enable,
  schedule,
  parameters: [side, direction, rate, unit],
  toFaultSpec: toBandwidthFaultSpec,
};

function toBandwidthFaultSpec(reader: OptionReader): BandwidthFaultSpec {
  const count = reader.valueOrDefault(rate, parsePositiveInteger);
  const perUnit = BYTES_PER_UNIT[reader.valueOrDefault(unit, (text) => parseChoice(text, UNITS))];
  const bytesPerSecond = count * perUnit;
  // Kept as a plain number, never truncated: the original's 32-bit cast silently turned
  // rates of ~4.29 GB/s and more into "no limit".
  if (!Number.isSafeInteger(bytesPerSecond)) {
    throw UsageError.about(reader.raw(rate)?.origin ?? '--bandwidth-rate', 'The rate is too large.');
  }
  return {
    kind: 'bandwidth',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    bytesPerSecond,
  };
}
