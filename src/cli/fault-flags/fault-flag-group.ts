// The shape every fault's flags share: `--with-X` turns it on, `--X-sched` schedules it, and
// the fault's own flags become its FaultSpec. Adding a fault to `run` = one file exporting a
// FaultFlagGroup, listed in ./index.ts.

import { parseSchedule } from '../../config/schedule';
import type { ConfiguredFault, FaultSpec } from '../../config/types';
import { type OptionReader, type OptionSpec, parseAs } from '../options';

export interface FaultFlagGroup {
  /** ConfiguredFault id; one instance per kind on the command line, so the kind name is enough. */
  id: string;
  enable: OptionSpec;
  schedule: OptionSpec;
  /** The fault's parameters, in help order. */
  parameters: readonly OptionSpec[];
  /** Reads and cross-validates the parameters (only called when the fault is enabled). */
  toFaultSpec(reader: OptionReader): FaultSpec;
}

export interface FaultFlagContext {
  /** `--duration`, for `N%` schedule specs. */
  runDurationMs?: number;
  warn(message: string): void;
}

export function optionsOf(group: FaultFlagGroup): OptionSpec[] {
  return [group.enable, ...group.parameters, group.schedule];
}

/** The configured fault, or undefined when its `--with-…` flag is absent. */
export function configuredFaultFrom(
  group: FaultFlagGroup,
  reader: OptionReader,
  context: FaultFlagContext,
): ConfiguredFault | undefined {
  const scheduleText = reader.raw(group.schedule);
  if (!reader.flag(group.enable)) {
    if (scheduleText !== undefined) {
      context.warn(`${scheduleText.origin} is ignored without ${flagName(group.enable)}.`);
    }
    // A parameter typed on the command line without its fault is almost always a forgotten flag.
    const ignored = group.parameters.map((p) => reader.givenOnCommandLine(p)).filter((f) => f !== undefined);
    if (ignored.length > 0) context.warn(`${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored without ${flagName(group.enable)}.`);
    return undefined;
  }
  const spec = group.toFaultSpec(reader);
  if (scheduleText === undefined) return { id: group.id, spec, schedule: [] };

  const parsed = parseAs(scheduleText, (text) => parseSchedule(text, context.runDurationMs));
  for (const warning of parsed.warnings) context.warn(`${scheduleText.origin}: ${warning}`);
  return { id: group.id, spec, schedule: parsed.windows };
}

function flagName(spec: OptionSpec): string {
  return spec.flags.split(/[ ,]+/).find((part) => part.startsWith('--')) ?? spec.flags;
}
