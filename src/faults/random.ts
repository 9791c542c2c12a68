// Seeded, forkable randomness for every draw the engine makes.
//
// Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state,
// only 32-bit integer arithmetic (cheap in V8), passes PractRand, and its built-in counter
// guarantees a period of at least 2^32 from any seed.
//
// Streams: every Random carries a 64-bit key (two 32-bit words). Its state is derived from the
// key alone, and fork(id) derives a child key from the parent KEY and the id, never from the
// parent's current state. So with `--seed N`, shard 3's connection 17 always gets the same
// stream, however many draws other connections made before it was opened.
import { getRandomValues } from 'node:crypto';

export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A draw from N(mean, stddev²). */
  normal(mean: number, stddev: number): number;
  /** An independent stream determined only by this stream's seed and `streamId`. */
  fork(streamId: number): Random;
}

const TWO_POW_32 = 4294967296;
const GOLDEN_RATIO_32 = 0x9e3779b9;
/** Like sfc32's reference seeding: discard a few outputs so that related keys decorrelate. */
const WARM_UP_DRAWS = 12;

/** splitmix32's finaliser: a bijective 32-bit mix with full avalanche. */
function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

class Sfc32Random implements Random {
  private a: number;
  private b: number;
  private c: number;
  private counter: number;
  /** Marsaglia's polar method makes standard normals in pairs; the second waits here. */
  private spareStandardNormal: number | undefined = undefined;

  constructor(
    private readonly keyHigh: number,
    private readonly keyLow: number,
  ) {
    // mix32 is a bijection, so distinct keys give distinct (a, b) and thus distinct states.
    this.a = mix32(keyLow + GOLDEN_RATIO_32);
    this.b = mix32(keyHigh ^ 0x85ebca6b);
    this.c = mix32(this.a ^ this.b ^ 0xc2b2ae35);
    this.counter = 1;
    for (let i = 0; i < WARM_UP_DRAWS; i++) this.nextUint32();
  }

  nextUint32(): number {
    const result = (this.a + this.b + this.counter) | 0;
    this.counter = (this.counter + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + result) | 0;
    return result >>> 0;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  normal(mean: number, stddev: number): number {
    return mean + stddev * this.standardNormal();
  }

  fork(streamId: number): Random {
    if (!Number.isSafeInteger(streamId) || streamId < 0) {
      throw new RangeError(`stream id must be a non-negative safe integer, got ${streamId}`);
    }
    const idLow = streamId >>> 0;
    const idHigh = Math.floor(streamId / TWO_POW_32);
    // For a given parent, distinct ids below 2^32 give distinct childHigh (mix32 is bijective).
    const childHigh = mix32(this.keyHigh ^ mix32(idLow + 0x27d4eb2f));
    const childLow = mix32((this.keyLow ^ mix32(idHigh + 0x165667b1)) + childHigh);
    return new Sfc32Random(childHigh, childLow);
  }

  private standardNormal(): number {
    const spare = this.spareStandardNormal;
    if (spare !== undefined) {
      this.spareStandardNormal = undefined;
      return spare;
    }
    let u: number;
    let v: number;
    let radiusSquared: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      radiusSquared = u * u + v * v;
    } while (radiusSquared >= 1 || radiusSquared === 0);
    const factor = Math.sqrt((-2 * Math.log(radiusSquared)) / radiusSquared);
    this.spareStandardNormal = v * factor;
    return u * factor;
  }
}

/**
 * A generator seeded with `seed` (a safe integer, negative allowed), or from the OS when no
 * seed is given.
 */
export function createRandom(seed?: number): Random {
  if (seed === undefined) {
    const [high, low] = getRandomValues(new Uint32Array(2));
    return new Sfc32Random(high, low);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  // Split into two 32-bit words; for negatives both words come out in two's complement.
  return new Sfc32Random(Math.floor(seed / TWO_POW_32) >>> 0, seed >>> 0);
}
