// The stats path every exchange takes: recording a duration into a shard's HDR histogram, and the
// engine merging a shard's histogram delta (encoded, as shards send it, and decoded) once a second.
import { add, complete, cycle, save, suite } from 'benny';
import { createHistogram, decodeHistogram, encodeHistogram, recordMs } from '../../src/stats/histogram';

const CASE_OPTIONS = { maxTime: 1, minSamples: 10 };

/** Realistic durations: mostly 0.2-5 ms, some 100-300 ms (injected latency), a few seconds. */
function durationsMs(count: number): Float64Array {
  const values = new Float64Array(count);
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    const u = next();
    values[i] = u < 0.8 ? 0.2 + next() * 4.8 : u < 0.99 ? 100 + next() * 200 : 1000 + next() * 4000;
  }
  return values;
}

/** A shard's one-second delta with `count` values, as the engine receives it. */
function shardDelta(count: number): string {
  const histogram = createHistogram();
  for (const ms of durationsMs(count)) recordMs(histogram, ms);
  return encodeHistogram(histogram);
}

export async function runHdrBenchmarks(resultsFolder: string, options = CASE_OPTIONS): Promise<void> {
  const values = durationsMs(4096);
  const recordInto = createHistogram();
  let index = 0;
  const total = createHistogram();
  const delta1k = shardDelta(1000);
  const delta50k = shardDelta(50_000);
  const decoded = decodeHistogram(delta50k);
  await suite(
    'hdr histogram',
    add('record one duration (recordMs)', () => {
      recordMs(recordInto, values[index++ & 4095]);
    }, options),
    add('merge: decode + add a 1k-value shard delta', () => {
      total.add(decodeHistogram(delta1k));
    }, options),
    add('merge: decode + add a 50k-value shard delta', () => {
      total.add(decodeHistogram(delta50k));
    }, options),
    add('merge: add an already decoded delta', () => {
      total.add(decoded);
    }, options),
    add('encode a 50k-value delta (shard side)', () => {
      encodeHistogram(decoded);
    }, options),
    cycle(),
    complete(),
    save({ file: 'micro-hdr', folder: resultsFolder, format: 'json' }),
  );
  if (recordInto.totalCount === 0 || total.totalCount === 0) throw new Error('hdr benchmark recorded nothing');
}
