/**
 * `npm run flash-sale`'s command line: usage and parsing. Apart from experiment/options.ts (which validates with
 * the SDK's InvalidOptionError) so the launcher can answer `--help` and reject a bad flag before any build.
 */
import type { ExperimentClock, FlashSaleOptions, FlashSalePhase, WorkerCount } from "../experiment/options.js";
import { type HelpRequest, numberFlag, parseScriptArgs, UsageError } from "./scriptArgs.js";

/** What the command line asked for: the options, and where to write the results. */
export interface FlashSaleCommand {
  readonly help: false;
  readonly options: FlashSaleOptions;
  /** The results folder. */
  readonly outDir: string;
}

/** The command's usage text. */
export const FLASH_SALE_USAGE = `Usage: npm run flash-sale -- [options]

  --backend memory|local     where queues and tables live (default memory)
  --users 5,20               customers of each sync run; the largest drives the async load
  --duration 60              seconds each load lasts (study time)
  --think-ms 100-500         think time between a customer's orders (study time)
  --timeout-ms 30000         a customer gives up after this long (study time)
  --workers 1,5,20,100       worker counts, one run each ("adaptive": a limit found from 1 to 100)
  --payment-ms 3000          how long one payment holds a slot (study time)
  --slots N|unlimited        payment slots shared by the workers (default unlimited)
  --sync-slots N|unlimited   payment slots behind POST /orders/sync (default 1)
  --time-scale 0.01          every duration x this factor (1 = real time; default 1 with --clock virtual)
  --clock system|virtual     virtual: simulated time, hours in seconds, repeatable (memory backend only)
  --seed 1                   seeds think times, declines and backoff jitter (same seed, same virtual run)
  --phases sync,workers      which parts run
  --out results              results folder (JSON + SVG chart)
  -h, --help                 this help

The study's first system is the default; its second: --slots 5 --sync-slots 5.
Exits 0 when every shape check passes, 1 when one fails, 2 on a usage error.`;

const OPTIONS = {
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
  clock: { type: "string" },
  seed: { type: "string" },
  phases: { type: "string" },
  out: { type: "string" },
} as const;

/** Parses the command line (`process.argv.slice(2)`); throws {@link UsageError} naming the bad flag. */
export function parseFlashSaleArgs(args: readonly string[]): FlashSaleCommand | HelpRequest {
  const parsed = parseScriptArgs(args, OPTIONS);
  if (parsed.help) return parsed;
  const values = parsed.values as { [K in keyof typeof OPTIONS]?: string };
  const options: FlashSaleOptions = {
    backend: values.backend as FlashSaleOptions["backend"],
    users: values.users === undefined ? undefined : numberList("--users", values.users),
    durationMs: values.duration === undefined ? undefined : numberFlag("--duration", values.duration) * 1000,
    thinkMs: values["think-ms"] === undefined ? undefined : range("--think-ms", values["think-ms"]),
    customerTimeoutMs:
      values["timeout-ms"] === undefined ? undefined : numberFlag("--timeout-ms", values["timeout-ms"]),
    workers: values.workers === undefined ? undefined : workerList(values.workers),
    paymentMs: values["payment-ms"] === undefined ? undefined : numberFlag("--payment-ms", values["payment-ms"]),
    slots: values.slots === undefined ? undefined : slots("--slots", values.slots),
    syncSlots: values["sync-slots"] === undefined ? undefined : slots("--sync-slots", values["sync-slots"]),
    timeScale: values["time-scale"] === undefined ? undefined : numberFlag("--time-scale", values["time-scale"]),
    phases: values.phases === undefined ? undefined : (values.phases.split(",") as FlashSalePhase[]),
    clock: values.clock === undefined ? undefined : clockFlag(values.clock),
    seed: values.seed === undefined ? undefined : numberFlag("--seed", values.seed),
  };
  // Checked here too, so the launcher refuses it before building anything.
  if (options.clock === "virtual" && options.backend !== undefined && options.backend !== "memory") {
    throw new UsageError(`--clock virtual runs on the memory backend only, got --backend ${options.backend}`);
  }
  return { help: false, options, outDir: values.out ?? "results" };
}

function clockFlag(text: string): ExperimentClock {
  if (text !== "system" && text !== "virtual") {
    throw new UsageError(`Expected \`--clock\` to be "system" or "virtual", got ${JSON.stringify(text)}`);
  }
  return text;
}

function numberList(flag: string, text: string): number[] {
  return text.split(",").map((part) => numberFlag(flag, part));
}

function workerList(text: string): WorkerCount[] {
  return text.split(",").map((part) => {
    if (part === "adaptive") return part;
    const value = Number(part);
    if (part.trim() === "" || !Number.isFinite(value)) {
      throw new UsageError(`Expected \`--workers\` to be a number or "adaptive", got ${JSON.stringify(part)}`);
    }
    return value;
  });
}

function range(flag: string, text: string): [number, number] {
  const parts = text.split("-");
  if (parts.length === 1) return [numberFlag(flag, text), numberFlag(flag, text)];
  if (parts.length !== 2)
    throw new UsageError(`Expected \`${flag}\` to be a range like 100-500, got ${JSON.stringify(text)}`);
  return [numberFlag(flag, parts[0]!), numberFlag(flag, parts[1]!)];
}

function slots(flag: string, text: string): number | "unlimited" {
  return text === "unlimited" ? "unlimited" : numberFlag(flag, text);
}
