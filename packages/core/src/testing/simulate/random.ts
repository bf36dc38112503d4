/**
 * A small seeded PRNG (sfc32, seeded through splitmix32): the same seed gives the same numbers on every platform
 * and Node version, which `Math.random` does not promise.
 */

/** A seeded source of numbers in [0, 1), with the few helpers a fault plan needs. */
export interface SeededRandom {
  /** A number in [0, 1), like `Math.random()`. */
  (): number;
  /** An integer in [0, n). */
  below(n: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

/**
 * A PRNG for `seed` and `stream`: each stream of one seed is independent, so drawing one more number for the
 * handler does not shift the fault plan.
 */
export function seededRandom(seed: number, stream = 0): SeededRandom {
  let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  const random = next as SeededRandom;
  random.below = (n) => Math.floor(next() * n);
  random.chance = (p) => p > 0 && next() < p;
  return random;
}
