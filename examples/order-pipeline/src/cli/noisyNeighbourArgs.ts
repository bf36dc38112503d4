/**
 * `npm run noisy-neighbour -w examples/order-pipeline`'s command line: usage and parsing, with no SDK import, so
 * the launcher answers `--help` and rejects a bad flag before anything is bundled.
 */
import type { FairnessMode } from "../flowControl/noisyNeighbour.js";
import { type HelpRequest, numberFlag, parseScriptArgs, UsageError } from "./scriptArgs.js";

const MODES: readonly FairnessMode[] = ["none", "consumer", "fairQueue"];

/** What the command line asked for. */
export interface NoisyNeighbourCommand {
  readonly help: false;
  readonly timeScale: number;
  readonly modes: readonly FairnessMode[];
  /** The results folder (JSON + SVG chart). */
  readonly outDir: string;
}

/** The command's usage text. */
export const NOISY_NEIGHBOUR_USAGE = `Usage: npm run noisy-neighbour -w examples/order-pipeline -- [options]

Tenant A floods the payment queue with 10,000 orders at once; tenant B sends 100, one every 3 s. 40 payment
handlers, 3 s per charge. Prints B's queue time (handler start - sentAt) per way of keeping them apart.

  --time-scale 0.01                 every duration x this factor (0.01: about 15 s in all)
  --modes none,consumer,fairQueue   which runs: no fairness, the consumer's fairness option (30 of 40
                                    handlers per tenant), an SQS-style fair queue (groupId per tenant)
  --out results                     results folder (JSON + SVG chart)
  -h, --help                        this help

Exits 0 after the runs, 2 on a usage error.`;

const OPTIONS = {
  "time-scale": { type: "string" },
  modes: { type: "string" },
  out: { type: "string" },
} as const;

/** Parses the command line; throws {@link UsageError} naming the bad flag. */
export function parseNoisyNeighbourArgs(args: readonly string[]): NoisyNeighbourCommand | HelpRequest {
  const parsed = parseScriptArgs(args, OPTIONS);
  if (parsed.help) return parsed;
  const values = parsed.values as { [K in keyof typeof OPTIONS]?: string };
  const timeScale = values["time-scale"] === undefined ? 0.01 : numberFlag("--time-scale", values["time-scale"]);
  if (!(timeScale > 0 && timeScale <= 1)) {
    throw new UsageError(`Expected \`--time-scale\` to be a number > 0 and at most 1, got ${timeScale}`);
  }
  const modes = values.modes === undefined ? MODES : values.modes.split(",");
  for (const mode of modes) {
    if (!MODES.includes(mode as FairnessMode)) {
      throw new UsageError(`Expected \`--modes\` to list none, consumer and fairQueue, got ${JSON.stringify(mode)}`);
    }
  }
  return { help: false, timeScale, modes: modes as FairnessMode[], outDir: values.out ?? "results" };
}
