/**
 * `npm run chaos` (full: 10,000 orders) and `npm run chaos:ci` (1,000): runs the chaos experiment, prints the
 * summary table, writes the report and the logs under `results/chaos/`, and exits 1 on any violation, 2 on a
 * usage error. Flags override the preset: see CHAOS_USAGE (`--help`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { InvalidOptionError } from "@resilient-jobs/core";
import { UsageError, usageErrorText } from "../src/cli/scriptArgs.js";
import { CHAOS_USAGE, type ChaosCommand, chaosWarnings, parseChaosArgs } from "./args.js";
import { type ChaosOptions, CI_CHAOS, FULL_CHAOS, resolveChaosOptions } from "./options.js";
import { runChaos } from "./runChaos.js";
import { formatChaosSummary } from "./summary.js";

/** The command and its options, or the exit after `--help` or a usage error. */
function readCommand(args: readonly string[]): { command: ChaosCommand; options: Readonly<ChaosOptions> } {
  try {
    const command = parseChaosArgs(args);
    if (command.help) {
      process.stdout.write(`${CHAOS_USAGE}\n`);
      process.exit(0);
    }
    // Validated here, before the results folder or any process exists, so a bad value is one line, not a stack.
    return { command, options: resolveChaosOptions(command.overrides, command.ci ? CI_CHAOS : FULL_CHAOS) };
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof InvalidOptionError)) throw error;
    process.stderr.write(usageErrorText("chaos", error, CHAOS_USAGE));
    process.exit(2);
  }
}

const { command, options: resolved } = readCommand(process.argv.slice(2));
for (const warning of chaosWarnings(resolved)) process.stderr.write(`[chaos] warning: ${warning}\n`);
const resultsDir = fileURLToPath(
  new URL(`../../results/chaos/${command.ci ? "ci" : "full"}-${Date.now()}`, import.meta.url),
);
await mkdir(resultsDir, { recursive: true });

const options: ChaosOptions = {
  ...resolved,
  logDir: resultsDir,
  progress: (line) => process.stderr.write(`[chaos] ${line}\n`),
};

// The bundled worker and emulator processes sit next to this file (all are built by chaos/bundle.ts).
const scripts = {
  worker: fileURLToPath(new URL("./worker.js", import.meta.url)),
  peer: fileURLToPath(new URL("./peer.js", import.meta.url)),
};
const report = await runChaos(scripts, options);
process.stdout.write(`${formatChaosSummary(report)}\n`);
const { progress: _progress, ...printable } = report.options;
await writeFile(`${resultsDir}/report.json`, JSON.stringify({ ...report, options: printable }, null, 2));
process.stdout.write(`\nReport and logs: ${resultsDir}\n`);
process.exitCode = report.reconciliation.violations.length === 0 ? 0 : 1;
