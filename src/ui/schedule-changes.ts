// Describes what a schedule change switched, for views that print lines: `latency on, jitter off`.
import type { ConfiguredFault } from '../config/types';
import { isActiveAt } from '../engine/fault-timeline';
import type { ActiveFault } from '../faults/registry';

export class ScheduleChanges {
  private active: Set<string>;

  constructor(private readonly faults: readonly ConfiguredFault[]) {
    this.active = new Set(faults.filter((f) => isActiveAt(f, 0)).map((f) => f.id));
  }

  /** What changed since the last call, or undefined when nothing did. */
  next(now: readonly ActiveFault[]): string | undefined {
    const next = new Set(now.map((f) => f.id));
    const changes: string[] = [];
    for (const fault of this.faults) {
      const was = this.active.has(fault.id);
      const is = next.has(fault.id);
      if (was !== is) changes.push(`${fault.spec.kind} ${is ? 'on' : 'off'}`);
    }
    this.active = next;
    return changes.length ? changes.join(', ') : undefined;
  }
}
