/**
 * `npm run flash-sale -- [flags]`: runs the flash-sale experiment, prints the study's tables beside the
 * queueing-theory estimates, and writes the results (JSON) and the queue-depth chart (SVG) into the results
 * folder. Flags: see FLASH_SALE_USAGE (`--help`). Exits 1 when a shape check fails, 2 on a usage error.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { InvalidOptionError } from "@resilient-jobs/core";
import { checkOutcome } from "../cli/checkOutcome.js";
import { FLASH_SALE_USAGE, parseFlashSaleArgs } from "../cli/flashSaleArgs.js";
import { UsageError, usageErrorText } from "../cli/scriptArgs.js";
import { renderDepthChart } from "./depthChart.js";
import { flashSaleWarnings, resolveFlashSaleOptions } from "./options.js";
import { renderReport } from "./report.js";
import { runFlashSale } from "./runFlashSale.js";
import { checkShapes } from "./shapes.js";

async function main(args: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseFlashSaleArgs>;
  let config: ReturnType<typeof resolveFlashSaleOptions>;
  try {
    command = parseFlashSaleArgs(args);
    if (command.help) {
      process.stdout.write(`${FLASH_SALE_USAGE}\n`);
      return 0;
    }
    config = resolveFlashSaleOptions(command.options);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidOptionError) {
      process.stderr.write(usageErrorText("flash-sale", error, FLASH_SALE_USAGE));
      return 2;
    }
    throw error;
  }
  for (const warning of flashSaleWarnings(config)) process.stderr.write(`flash-sale: warning: ${warning}\n`);
  const result = await runFlashSale(command.options, (line) => process.stderr.write(`flash-sale: ${line}\n`));
  const checks = checkShapes(result);
  process.stdout.write(`${renderReport(result, checks)}\n`);

  const outDir = resolve(command.outDir);
  await mkdir(outDir, { recursive: true });
  const stem = `flash-sale-${result.config.backend}-${result.startedAt.replace(/[:.]/g, "-")}`;
  const jsonPath = join(outDir, `${stem}.json`);
  await writeFile(jsonPath, `${JSON.stringify({ ...result, checks }, null, 2)}\n`);
  process.stdout.write(`Results: ${jsonPath}\n`);
  const chart = renderDepthChart(result);
  if (chart !== undefined) {
    const chartPath = join(outDir, `${stem}.svg`);
    await writeFile(chartPath, chart);
    process.stdout.write(`Chart:   ${chartPath}\n`);
  }
  const outcome = checkOutcome("flash-sale", checks);
  if (outcome.message !== undefined) process.stderr.write(`${outcome.message}\n`);
  return outcome.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `flash-sale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
