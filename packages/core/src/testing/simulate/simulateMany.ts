import { checkOption } from "../../errors.js";
import type { SimulationResult } from "./report.js";
import { simulate } from "./simulate.js";
import type { SimulateOptions } from "./simulateOptions.js";

/** Options of {@link simulateMany}: those of `simulate()` without `seed`, and which seeds to run. */
export interface SimulateManyOptions<T> extends Omit<SimulateOptions<T>, "seed"> {
  /** How many seeds to run. */
  runs: number;
  /** The first seed; the others follow it. @defaultValue 1 */
  firstSeed?: number;
}

/** What {@link simulateMany} found. */
export interface SimulateManyResult {
  /** Runs made (fewer than asked when one failed). */
  readonly runs: number;
  /** The first failing run (its `report()` has the seed and the trace), or undefined when every run passed. */
  readonly failure: SimulationResult | undefined;
  /** Virtual milliseconds over all runs. */
  readonly virtualMs: number;
}

/**
 * Runs `simulate()` for consecutive seeds, one after the other, and stops at the first that breaks an
 * invariant. A search for the seed that finds a bug: replay that one with `simulate({ ...options, seed })`.
 */
export async function simulateMany<T = unknown>(options: SimulateManyOptions<T>): Promise<SimulateManyResult> {
  const { runs, firstSeed = 1, ...rest } = options;
  checkOption(Number.isInteger(runs) && runs >= 1, "runs", "an integer >= 1", runs);
  checkOption(Number.isInteger(firstSeed) && firstSeed >= 0, "firstSeed", "an integer >= 0", firstSeed);
  let virtualMs = 0;
  for (let i = 0; i < runs; i++) {
    const result = await simulate<T>({ ...rest, seed: (firstSeed + i) >>> 0 });
    virtualMs += result.elapsedMs;
    if (!result.ok) return Object.freeze({ runs: i + 1, failure: result, virtualMs });
  }
  return Object.freeze({ runs, failure: undefined, virtualMs });
}
