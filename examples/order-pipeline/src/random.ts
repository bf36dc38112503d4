/**
 * A seeded random number generator: the same seed draws the same think times (flash sale on the virtual clock),
 * fault decisions, kill times and poison positions (chaos run, simulator), so a run can be repeated.
 */

/** Random numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough to pick faults (not for anything secret). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer from `min` to `max` inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
