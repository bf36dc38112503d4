/**
 * The benchmark handler's latency: 90% uniform 20-60 ms, 10% uniform 100-250 ms, drawn from a
 * seeded generator so every contender sees the same sequence of latencies.
 */

/** The mixture: weight, then a uniform range in milliseconds. */
export const LATENCY_MIX = [
  { weight: 0.9, minMs: 20, maxMs: 60 },
  { weight: 0.1, minMs: 100, maxMs: 250 },
] as const;

/** Expected latency of the mixture: 0.9 * 40 + 0.1 * 175 = 53.5 ms. */
export const LATENCY_MEAN_MS = LATENCY_MIX.reduce((sum, c) => sum + c.weight * ((c.minMs + c.maxMs) / 2), 0);

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Returns a function drawing the next latency (ms) of the mixture from a generator seeded with `seed`. */
export function createLatencySampler(seed: number): () => number {
  const random = seededRandom(seed);
  return () => {
    const pick = random();
    const uniform = random();
    const [fast, slow] = LATENCY_MIX;
    const range = pick < fast.weight ? fast : slow;
    return range.minMs + uniform * (range.maxMs - range.minMs);
  };
}
