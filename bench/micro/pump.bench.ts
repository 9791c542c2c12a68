// The per-chunk fault pipeline: one Pump pushing 1 KiB chunks into a sink that always accepts,
// with 0, 1 and 3 stages that pass every unit on at once (what a configured fault costs when it
// decides not to act on a chunk: bandwidth far below its rate, limit-data far below its limit,
// probability-0 faults).
import { add, complete, cycle, save, suite } from 'benny';
import type { FlowStage, FlowUnit, Forward } from '../../src/faults/fault';
import { Pump, type PumpSink } from '../../src/proxy/pump';
import { TimerWheel } from '../../src/time/timer-wheel';

const CASE_OPTIONS = { maxTime: 1, minSamples: 10 };
export const CHUNK = Buffer.alloc(1024, 0x61);

/** A stage that decides "not now, not me": forwards every unit unchanged, at once. */
function passThroughStage(): FlowStage {
  return {
    kind: 'bandwidth',
    accept(unit: FlowUnit, at: number, next: Forward): void {
      next(unit, at);
    },
  };
}

/** A sink that accepts everything and only counts, so the pump is what gets measured. */
export function countingSink(): PumpSink & { bytes: number } {
  const sink = {
    bytes: 0,
    write(chunk: Buffer): boolean {
      sink.bytes += chunk.length;
      return true;
    },
    end(): void {},
    onceDrain(): void {},
  };
  return sink;
}

/** A function pushing one chunk through a fresh pump with `stageCount` pass-through stages. */
export function pumpPusher(stageCount: number, wheel: TimerWheel): { push: () => void; sink: { bytes: number } } {
  const sink = countingSink();
  const stages = Array.from({ length: stageCount }, passThroughStage);
  const pump = new Pump(undefined, sink, stages, wheel);
  return { push: () => pump.push(CHUNK), sink };
}

export async function runPumpBenchmarks(resultsFolder: string, options = CASE_OPTIONS): Promise<void> {
  const wheel = new TimerWheel();
  const pushers = [0, 1, 3].map((count) => [count, pumpPusher(count, wheel)] as const);
  await suite(
    'pump: push one 1 KiB chunk',
    ...pushers.map(([count, pusher]) => add(`${count} stage${count === 1 ? '' : 's'}`, pusher.push, options)),
    cycle(),
    complete(),
    save({ file: 'micro-pump', folder: resultsFolder, format: 'json' }),
  );
  wheel.close();
  if (pushers.some(([, pusher]) => pusher.sink.bytes === 0)) throw new Error('pump benchmark wrote nothing');
}
