/**
 * `npm run bench -w examples/order-pipeline`'s command line (the flow-control bench): usage and parsing, with no
 * SDK import, so the launcher answers `--help` and rejects a bad flag before anything is bundled.
 */
import { type HelpRequest, numberFlag, parseScriptArgs, UsageError } from "./scriptArgs.js";

/** What the command line asked for. */
export interface FlowBenchCommand {
  readonly help: false;
  /** Multiplies every duration (the 3 s payment takes 3 s x this). */
  readonly timeScale: number;
  /** Runs of each scenario; the report quotes the medians. */
  readonly repeats: number;
  /** The results folder (JSON + the limit-over-time SVG). */
  readonly outDir: string;
  /** Exit 1 when a target is missed (by default the bench reports, like the packages' benches, and exits 0). */
  readonly strict: boolean;
  /** `"virtual"`: simulated time, no timer jitter. */
  readonly clock: "system" | "virtual";
}

/** The command's usage text. */
export const FLOW_BENCH_USAGE = `Usage: npm run bench -w examples/order-pipeline -- [options]

Adaptive concurrency beside a fixed pool, on the memory backend with the example's payment gateway
simulator (3 s per charge): 5 slots with max 100, an unconstrained downstream, and capacity 20 -> 5 -> 20.

  --time-scale 0.04   every duration x this factor (0.04: a 3 s payment takes 120 ms; about 80 s a repeat;
                      default 1 with --clock virtual)
  --clock system|virtual   virtual: simulated time, the limiter measured without timer jitter
  --repeats 1         runs of each scenario; with more, the report quotes the medians
  --out results       results folder (JSON + the limit-over-time SVG)
  --strict            exit 1 when a target is missed
  -h, --help          this help

Exits 0 after reporting (missed targets are marked), 1 with --strict when one is missed, 2 on a usage error.`;

const OPTIONS = {
  "time-scale": { type: "string" },
  repeats: { type: "string" },
  out: { type: "string" },
  strict: { type: "boolean" },
  clock: { type: "string" },
} as const;

/** Parses the command line; throws {@link UsageError} naming the bad flag. */
export function parseFlowBenchArgs(args: readonly string[]): FlowBenchCommand | HelpRequest {
  const parsed = parseScriptArgs(args, OPTIONS);
  if (parsed.help) return parsed;
  const values = parsed.values as { [K in Exclude<keyof typeof OPTIONS, "strict">]?: string } & { strict?: boolean };
  const clock = values.clock ?? "system";
  if (clock !== "system" && clock !== "virtual") {
    throw new UsageError(`Expected \`--clock\` to be "system" or "virtual", got ${JSON.stringify(clock)}`);
  }
  // On the virtual clock time is free and jitter-free: the study's own scale.
  const defaultScale = clock === "virtual" ? 1 : 0.04;
  const timeScale =
    values["time-scale"] === undefined ? defaultScale : numberFlag("--time-scale", values["time-scale"]);
  if (!(timeScale > 0 && timeScale <= 1)) {
    throw new UsageError(`Expected \`--time-scale\` to be a number > 0 and at most 1, got ${timeScale}`);
  }
  const repeats = values.repeats === undefined ? 1 : numberFlag("--repeats", values.repeats);
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 20)) {
    throw new UsageError(`Expected \`--repeats\` to be an integer from 1 to 20, got ${repeats}`);
  }
  return { help: false, timeScale, repeats, outDir: values.out ?? "results", strict: values.strict === true, clock };
}
