import { parseArgs } from "node:util";
import { InvalidOptionError } from "@resilient-jobs/core";

/** Which parts of the experiment run: the sync-vs-async comparison, the worker-scaling runs, or both. */
export type FlashSalePhase = "sync" | "workers";

/**
 * Options of the flash-sale experiment. Durations are study milliseconds: `timeScale` shrinks all of them
 * by the same factor when the experiment runs. The defaults reproduce the study's first system (see
 * docs/flash-sale.md); `slots: 5, syncSlots: 5` reproduces its second.
 */
export interface FlashSaleOptions {
  /**
   * Where the pipeline's queues and tables live.
   * @defaultValue "memory"
   */
  backend?: "memory" | "local";
  /**
   * Customer counts of the sync runs, one run each; the largest also drives the async load.
   * @defaultValue [5, 20] (the study's two sync runs; 20 users for the flash sale)
   */
  users?: readonly number[];
  /**
   * How long each load lasts.
   * @defaultValue 60_000
   */
  durationMs?: number;
  /**
   * A customer's think time between an answer and the next order, drawn uniformly from [min, max].
   * @defaultValue [100, 500]
   */
  thinkMs?: readonly [min: number, max: number];
  /**
   * How long a customer waits for an answer before giving up.
   * @defaultValue 30_000
   */
  customerTimeoutMs?: number;
  /**
   * Worker counts of the worker-scaling runs, one run each.
   * @defaultValue [1, 5, 20, 100]
   */
  workers?: readonly number[];
  /**
   * How long one payment holds a slot.
   * @defaultValue 3000
   */
  paymentMs?: number;
  /**
   * Concurrent payment slots shared by the workers.
   * @defaultValue "unlimited" (the study's first system: downstream never limited the workers)
   */
  slots?: number | "unlimited";
  /**
   * Concurrent payment slots behind the synchronous endpoint.
   * @defaultValue 1 (the study's first system served one sync payment at a time)
   */
  syncSlots?: number | "unlimited";
  /**
   * Factor applied to every duration: 0.01 runs the 3 s payments in 30 ms.
   * @defaultValue 0.01
   */
  timeScale?: number;
  /**
   * Which parts run.
   * @defaultValue ["sync", "workers"]
   */
  phases?: readonly FlashSalePhase[];
  /**
   * How often queue depth is sampled.
   * @defaultValue 1000
   */
  sampleEveryMs?: number;
  /**
   * Run both endpoints briefly, unmeasured, before the first measured run, so that the process's JIT warm-up
   * does not slow whichever run comes first. Once per process is enough.
   * @defaultValue true
   */
  warmUp?: boolean;
}

/** The experiment's options with every default applied and validated. */
export type FlashSaleConfig = Readonly<Required<FlashSaleOptions>>;

/** The defaults, in one place. */
export const FLASH_SALE_DEFAULTS: FlashSaleConfig = Object.freeze({
  backend: "memory",
  users: Object.freeze([5, 20]),
  durationMs: 60_000,
  thinkMs: Object.freeze([100, 500] as const),
  customerTimeoutMs: 30_000,
  workers: Object.freeze([1, 5, 20, 100]),
  paymentMs: 3_000,
  slots: "unlimited",
  syncSlots: 1,
  timeScale: 0.01,
  phases: Object.freeze(["sync", "workers"] as const),
  sampleEveryMs: 1_000,
  warmUp: true,
});

/** Applies the defaults and validates; throws InvalidOptionError naming the first bad option. */
export function resolveFlashSaleOptions(options: FlashSaleOptions = {}): FlashSaleConfig {
  const config = { ...FLASH_SALE_DEFAULTS, ...withoutUndefined(options) };
  if (config.backend !== "memory" && config.backend !== "local") {
    throw new InvalidOptionError("backend", '"memory" or "local"', config.backend);
  }
  requireCounts("users", config.users);
  requireCounts("workers", config.workers);
  requirePositive("durationMs", config.durationMs);
  requirePositive("customerTimeoutMs", config.customerTimeoutMs);
  requirePositive("paymentMs", config.paymentMs);
  requirePositive("sampleEveryMs", config.sampleEveryMs);
  const [thinkMin, thinkMax] = config.thinkMs;
  if (!(thinkMin >= 0 && thinkMax >= thinkMin)) {
    throw new InvalidOptionError("thinkMs", "a range [min, max] of milliseconds with 0 <= min <= max", config.thinkMs);
  }
  requireSlots("slots", config.slots);
  requireSlots("syncSlots", config.syncSlots);
  if (!(config.timeScale > 0 && config.timeScale <= 1)) {
    throw new InvalidOptionError(
      "timeScale",
      "a number > 0 and at most 1 (1 = the study's real time)",
      config.timeScale,
    );
  }
  if (typeof config.warmUp !== "boolean") throw new InvalidOptionError("warmUp", "a boolean", config.warmUp);
  if (config.phases.length === 0 || config.phases.some((phase) => phase !== "sync" && phase !== "workers")) {
    throw new InvalidOptionError("phases", 'a non-empty list of "sync" and "workers"', config.phases);
  }
  return Object.freeze({
    ...config,
    users: Object.freeze([...config.users]),
    workers: Object.freeze([...config.workers]),
    thinkMs: Object.freeze([thinkMin, thinkMax] as const),
    phases: Object.freeze([...config.phases]),
  });
}

/** What the command line asked for: the options, and where to write the results. */
export interface FlashSaleCommand {
  readonly options: FlashSaleOptions;
  /** The results folder. */
  readonly outDir: string;
  readonly help: boolean;
}

/** The command's usage text. */
export const FLASH_SALE_USAGE = `Usage: npm run flash-sale -- [options]

  --backend memory|local     where queues and tables live (default memory)
  --users 5,20               customers of each sync run; the largest drives the async load
  --duration 60              seconds each load lasts (study time)
  --think-ms 100-500         think time between a customer's orders (study time)
  --timeout-ms 30000         a customer gives up after this long (study time)
  --workers 1,5,20,100       worker counts, one run each
  --payment-ms 3000          how long one payment holds a slot (study time)
  --slots N|unlimited        payment slots shared by the workers (default unlimited)
  --sync-slots N|unlimited   payment slots behind POST /orders/sync (default 1)
  --time-scale 0.01          every duration x this factor (1 = real time)
  --phases sync,workers      which parts run
  --out results              results folder (JSON + SVG chart)

The study's first system is the default; its second: --slots 5 --sync-slots 5.`;

/** Parses the command line (`process.argv.slice(2)`); throws InvalidOptionError on a bad value. */
export function parseFlashSaleArgs(args: readonly string[]): FlashSaleCommand {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      backend: { type: "string" },
      users: { type: "string" },
      duration: { type: "string" },
      "think-ms": { type: "string" },
      "timeout-ms": { type: "string" },
      workers: { type: "string" },
      "payment-ms": { type: "string" },
      slots: { type: "string" },
      "sync-slots": { type: "string" },
      "time-scale": { type: "string" },
      phases: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const options: FlashSaleOptions = {
    backend: values.backend as FlashSaleOptions["backend"],
    users: values.users === undefined ? undefined : numberList("--users", values.users),
    durationMs: values.duration === undefined ? undefined : number("--duration", values.duration) * 1000,
    thinkMs: values["think-ms"] === undefined ? undefined : range("--think-ms", values["think-ms"]),
    customerTimeoutMs: values["timeout-ms"] === undefined ? undefined : number("--timeout-ms", values["timeout-ms"]),
    workers: values.workers === undefined ? undefined : numberList("--workers", values.workers),
    paymentMs: values["payment-ms"] === undefined ? undefined : number("--payment-ms", values["payment-ms"]),
    slots: values.slots === undefined ? undefined : slots("--slots", values.slots),
    syncSlots: values["sync-slots"] === undefined ? undefined : slots("--sync-slots", values["sync-slots"]),
    timeScale: values["time-scale"] === undefined ? undefined : number("--time-scale", values["time-scale"]),
    phases: values.phases === undefined ? undefined : (values.phases.split(",") as FlashSalePhase[]),
  };
  return { options, outDir: values.out ?? "results", help: values.help ?? false };
}

function number(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new InvalidOptionError(flag, "a number", text);
  return value;
}

function numberList(flag: string, text: string): number[] {
  return text.split(",").map((part) => number(flag, part));
}

function range(flag: string, text: string): [number, number] {
  const parts = text.split("-");
  if (parts.length === 1) return [number(flag, text), number(flag, text)];
  if (parts.length !== 2) throw new InvalidOptionError(flag, "a range like 100-500", text);
  return [number(flag, parts[0]!), number(flag, parts[1]!)];
}

function slots(flag: string, text: string): number | "unlimited" {
  return text === "unlimited" ? "unlimited" : number(flag, text);
}

function requirePositive(option: string, value: number): void {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new InvalidOptionError(option, "a number > 0", value);
  }
}

function requireCounts(option: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new InvalidOptionError(option, "a non-empty list of integers >= 1", values);
  }
}

function requireSlots(option: string, value: number | "unlimited"): void {
  if (value !== "unlimited" && !(Number.isInteger(value) && value >= 1)) {
    throw new InvalidOptionError(option, 'an integer >= 1 or "unlimited"', value);
  }
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `slots` as a number for the estimates: Infinity for unlimited. */
export function slotCount(slots: number | "unlimited"): number {
  return slots === "unlimited" ? Number.POSITIVE_INFINITY : slots;
}
