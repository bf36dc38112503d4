import { type Clock, systemClock } from "@resilient-jobs/core";
import { VirtualClock } from "@resilient-jobs/core/testing";
import { type Random, seededRandom } from "../random.js";
import type { FlashSaleConfig } from "./options.js";

/** What one experiment runs on: its clock, its random draws, and how its work is driven to the end. */
export interface ExperimentTime {
  readonly clock: Clock;
  /** True on the virtual clock: no HTTP (the load runs in process), no warm-up. */
  readonly virtual: boolean;
  /** A fresh seeded stream for the run named `label`, so each run draws the same whatever ran before it. */
  random(label: string): Random;
  /** Runs `work` to its end: at once on the real clock; on the virtual one, firing its timers until it settles. */
  drive<T>(work: () => Promise<T>): Promise<T>;
}

/** Real turns in a row with no virtual timer left before a virtual run is declared stuck. */
const MAX_IDLE_TURNS = 2_000;

/** The experiment's time for `config`: `systemClock`, or a `VirtualClock` driven until the experiment ends. */
export function experimentTime(config: Pick<FlashSaleConfig, "clock" | "seed">): ExperimentTime {
  const random = (label: string) => seededRandom(config.seed ^ hash(label));
  if (config.clock === "system") {
    return { clock: systemClock, virtual: false, random, drive: (work) => work() };
  }
  const clock = new VirtualClock();
  return { clock, virtual: true, random, drive: (work) => driveVirtual(clock, work) };
}

async function driveVirtual<T>(clock: VirtualClock, work: () => Promise<T>): Promise<T> {
  let settled = false;
  const result = work().finally(() => {
    settled = true;
  });
  let idle = 0;
  while (!settled) {
    const fired = clock.firedTimers;
    if (await clock.runUntil(() => settled)) break;
    if (clock.firedTimers !== fired) idle = 0;
    // No timer left and not done: only real I/O can be pending (nothing in a memory run should be). Wait for it
    // a little, then fail loudly rather than hang.
    if (++idle > MAX_IDLE_TURNS) throw new Error("flash-sale: the virtual run waits on something no timer drives");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return result;
}

/** FNV-1a: a run's label as a number to mix into the seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
