import { type ExperimentTime, experimentTime } from "./experimentClock.js";
import { type FlashSaleConfig, type FlashSaleOptions, resolveFlashSaleOptions } from "./options.js";
import { runSyncRun, type SyncRunResult } from "./syncRun.js";
import { runWorkerRun, type WorkerRunResult } from "./workerRun.js";

/** Everything one experiment measured, with the estimates beside it. Written as the results JSON. */
export interface FlashSaleResult {
  readonly config: FlashSaleConfig;
  /** ISO 8601. */
  readonly startedAt: string;
  /** Real seconds the whole experiment took. */
  readonly realSeconds: number;
  /** Study seconds the clock moved (on the virtual clock: what those real seconds simulated). */
  readonly studySeconds: number;
  /** One run per user count (empty when the sync phase was skipped). */
  readonly sync: readonly SyncRunResult[];
  /** Customers driving the async endpoint in every worker run: the largest user count. */
  readonly asyncUsers: number;
  /** One run per worker count (empty when the workers phase was skipped). */
  readonly workers: readonly WorkerRunResult[];
}

/**
 * Runs the flash-sale experiment: the sync endpoint under each user count, then, per worker count, the async
 * endpoint under the largest user count while the workers drain the payment queue. Each run gets a fresh
 * pipeline, so counts and queues never leak from one run into the next. `progress` hears one line per run.
 */
export async function runFlashSale(
  options: FlashSaleOptions = {},
  progress: (line: string) => void = () => {},
): Promise<FlashSaleResult> {
  const config = resolveFlashSaleOptions(options);
  // Real time, whatever clock the runs use: the results' name and the real seconds the experiment took.
  const startedAt = new Date();
  const realStart = performance.now();
  const time = experimentTime(config);
  const clockStart = time.clock.now();
  const asyncUsers = Math.max(...config.users);
  const sync: SyncRunResult[] = [];
  const workers: WorkerRunResult[] = [];
  if (config.warmUp && !time.virtual) {
    progress("warm-up (not measured)");
    await warmUp(config, time);
  }
  if (config.phases.includes("sync")) {
    for (const users of config.users) {
      progress(`sync: ${users} users, ${config.syncSlots} slot(s)`);
      sync.push(await time.drive(() => runSyncRun(config, users, time)));
    }
  }
  if (config.phases.includes("workers")) {
    for (const count of config.workers) {
      progress(`workers: ${count} (slots ${config.slots}), async load from ${asyncUsers} users`);
      workers.push(await time.drive(() => runWorkerRun(config, count, asyncUsers, time)));
    }
  }
  return {
    config,
    startedAt: startedAt.toISOString(),
    realSeconds: (performance.now() - realStart) / 1000,
    studySeconds: (time.clock.now() - clockStart) / config.timeScale / 1000,
    sync,
    asyncUsers,
    workers,
  };
}

/**
 * A short unmeasured run of both endpoints first: the first thousand requests of a Node process run
 * unoptimised code (JIT warm-up), which would slow whichever run came first and skew its rates.
 */
async function warmUp(config: FlashSaleConfig, time: ExperimentTime): Promise<void> {
  const brief: FlashSaleConfig = { ...config, durationMs: 5_000 };
  await runSyncRun({ ...brief, syncSlots: "unlimited" }, Math.max(...config.users), time);
  await runWorkerRun({ ...brief, slots: "unlimited" }, 100, Math.max(...config.users), time);
}
