// `run` flags of the packet-loss fault (spec §2.4.4) and their translation into a
// PacketLossFaultSpec. New compared with the original: --packet-loss-rate (a plain per-chunk
// probability instead of the built-in Markov model) and --packet-loss-rto.

import { parseFaultTime } from '../../config/duration';
import type { Direction, PacketLossFaultSpec, Side } from '../../config/types';
import { InvalidValueError, parseChoice, parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';

const SIDES: readonly Side[] = ['client', 'server'];
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress', 'both'];

const enable: OptionSpec = {
  flags: '--with-packet-loss',
  description: 'enable the packet-loss fault',
  env: 'FAULT_WITH_PACKET_LOSS',
};
const side: OptionSpec = {
  flags: '--packet-loss-side <side>',
  description: 'side of the proxy where chunks are lost: client or server',
  env: 'FAULT_PACKET_LOSS_SIDE',
  defaultValue: 'server',
};
const direction: OptionSpec = {
  flags: '--packet-loss-direction <direction>',
  description: 'traffic direction that loses chunks: ingress, egress or both',
  env: 'FAULT_PACKET_LOSS_DIRECTION',
  defaultValue: 'ingress',
};
const rate: OptionSpec = {
  flags: '--packet-loss-rate <p>',
  description: 'chance (0..1) that a chunk is lost; without it, a Markov model of link states (~20%, in bursts)',
  env: 'FAULT_PACKET_LOSS_RATE',
};
const rto: OptionSpec = {
  flags: '--packet-loss-rto <duration>',
  description: 'how long a lost chunk waits for its retransmission, doubling on consecutive losses (bare number = ms)',
  env: 'FAULT_PACKET_LOSS_RTO',
  defaultValue: '200ms',
};
const schedule: OptionSpec = {
  flags: '--packet-loss-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_PACKET_LOSS_SCHED',
};

export const packetLossFlags: FaultFlagGroup = {
  id: 'packet-loss',
  enable,
  schedule,
  parameters: [side, direction, rate, rto],
  toFaultSpec: toPacketLossFaultSpec,
};

/** An RTO: a fault time (bare milliseconds or a duration), longer than 0. */
function parseRto(text: string): number {
  const ms = parseFaultTime(text);
  if (!(ms > 0)) throw new InvalidValueError('The retransmission timeout must be longer than 0 ms.');
  return ms;
}

function toPacketLossFaultSpec(reader: OptionReader): PacketLossFaultSpec {
  return {
    kind: 'packet-loss',
    side: reader.valueOrDefault(side, (text) => parseChoice(text, SIDES)),
    direction: reader.valueOrDefault(direction, (text) => parseChoice(text, DIRECTIONS)),
    rate: reader.value(rate, parseProbability),
    rtoMs: reader.valueOrDefault(rto, parseRto),
  };
}
