/**
 * Deterministic pseudo-random numbers for the demo and synthetic books: the same seed gives the same books on every
 * machine and run (tests compare figures to the øre). Not for anything secret.
 */

/** A 32-bit hash of a string (FNV-1a), to turn a company slug or a seed text into a seed. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A sequential generator (mulberry32): `next()` in [0, 1). */
export class SeededRandom {
  #state: number;

  constructor(seed: number | string) {
    this.#state = (typeof seed === "string" ? hashSeed(seed) : seed) >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Øre between two øre amounts (inclusive), as bigint. */
  ore(min: bigint, max: bigint): bigint {
    const span = Number(max - min);
    return min + BigInt(Math.floor(this.next() * (span + 1)));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * A random-access generator: `at(index)` is a number in [0, 1) that depends only on the seed and the index (a
 * SplitMix32-style mix), so the synthetic books can produce any voucher without producing the ones before it.
 */
export function randomAt(seed: number, index: number, lane = 0): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9) ^ Math.imul(lane + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z / 4294967296;
}
