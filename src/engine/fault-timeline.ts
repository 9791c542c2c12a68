// Decides which configured faults are active at each moment of the run, from their schedule
// windows. Windows of different faults overlap freely (the original dropped other scheduled
// faults on every event); each change produces a new, versioned fault set for the shards.
import type { ConfiguredFault } from '../config/types';
import type { ActiveFault } from '../faults/registry';
import type { FaultSet } from '../proxy/shard-context';

export function isActiveAt(fault: ConfiguredFault, elapsedMs: number): boolean {
  if (fault.schedule.length === 0) return true;
  return fault.schedule.some((w) => elapsedMs >= w.startMs && (w.endMs === undefined || elapsedMs < w.endMs));
}

export function activeFaultsAt(faults: readonly ConfiguredFault[], elapsedMs: number): ActiveFault[] {
  return faults.filter((f) => isActiveAt(f, elapsedMs)).map((f) => ({ id: f.id, spec: f.spec }));
}

/** Every moment (ms from start) at which the active set may change, ascending, without 0. */
export function changePoints(faults: readonly ConfiguredFault[]): number[] {
  const points = new Set<number>();
  for (const fault of faults) {
    for (const window of fault.schedule) {
      if (window.startMs > 0) points.add(window.startMs);
      if (window.endMs !== undefined) points.add(window.endMs);
    }
  }
  return [...points].sort((a, b) => a - b);
}

/** Runs the schedule: calls `publish` with a new fault set at each change point. */
export class FaultTimeline {
  private version = 0;
  private timers: NodeJS.Timeout[] = [];
  private current: ActiveFault[];

  constructor(
    private readonly faults: readonly ConfiguredFault[],
    private readonly publish: (set: FaultSet) => void,
  ) {
    this.current = activeFaultsAt(faults, 0);
  }

  get initialSet(): FaultSet {
    return { version: 0, faults: activeFaultsAt(this.faults, 0) };
  }

  start(): void {
    const origin = Date.now();
    for (const point of changePoints(this.faults)) {
      this.timers.push(
        setTimeout(() => {
          const next = activeFaultsAt(this.faults, Date.now() - origin);
          if (sameFaults(next, this.current)) return;
          this.current = next;
          this.publish({ version: ++this.version, faults: next });
        }, point),
      );
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

function sameFaults(a: ActiveFault[], b: ActiveFault[]): boolean {
  return a.length === b.length && a.every((fault, i) => fault.id === b[i].id);
}
