/**
 * `npm run flash-sale -- [flags]`: runs the flash-sale experiment, prints the study's tables beside the
 * queueing-theory estimates, and writes the results (JSON) and the queue-depth chart (SVG) into the results
 * folder. Flags: see FLASH_SALE_USAGE (`--help`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { InvalidOptionError } from "@resilient-jobs/core";
import { renderDepthChart } from "./depthChart.js";
import { FLASH_SALE_USAGE, type FlashSaleCommand, parseFlashSaleArgs, resolveFlashSaleOptions } from "./options.js";
import { renderReport } from "./report.js";
import { runFlashSale } from "./runFlashSale.js";
import { checkShapes } from "./shapes.js";

async function main(args: readonly string[]): Promise<number> {
  let command: FlashSaleCommand;
  try {
    command = parseFlashSaleArgs(args);
    resolveFlashSaleOptions(command.options);
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown flags; ours are InvalidOptionErrors.
    if (error instanceof InvalidOptionError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${(error as Error).message}\n\n${FLASH_SALE_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (command.help) {
    process.stdout.write(`${FLASH_SALE_USAGE}\n`);
    return 0;
  }
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
  return 0;
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
