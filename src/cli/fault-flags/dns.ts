// `run` flags of the dns fault (spec §2.4.4) and their translation into a DnsFaultSpec.

import type { DnsFaultSpec } from '../../config/types';
import { parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import type { FaultFlagGroup } from './fault-flag-group';

const enable: OptionSpec = {
  flags: '--with-dns',
  description: 'enable the dns fault: resolving upstream host names fails (HTTP forwarding and CONNECT)',
  env: 'FAULT_WITH_DNS',
};
// The env var keeps the original's name; its value is a probability like the flag's (the
// original's env table said "0-100", which the code never accepted).
const rate: OptionSpec = {
  flags: '--dns-rate <p>',
  description: 'chance, per request or tunnel, that resolving the upstream host name fails: 0.0 to 1.0',
  env: 'FAULT_DNS_PROBABILITY',
  defaultValue: '0.5',
};
const schedule: OptionSpec = {
  flags: '--dns-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_DNS_SCHED',
};

export const dnsFlags: FaultFlagGroup = {
  id: 'dns',
  enable,
  schedule,
  parameters: [rate],
  toFaultSpec: (reader: OptionReader): DnsFaultSpec => ({
    kind: 'dns',
    probability: reader.valueOrDefault(rate, parseProbability),
  }),
};
