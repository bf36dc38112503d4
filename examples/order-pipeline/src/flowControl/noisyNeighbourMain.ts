/**
 * `npm run noisy-neighbour -w examples/order-pipeline -- [flags]`: runs the noisy-neighbour experiment in each
 * mode (noisyNeighbour.ts), prints the table, writes the runs (JSON) and the chart (SVG) into the results
 * folder. Exits 2 on a usage error.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NOISY_NEIGHBOUR_USAGE, parseNoisyNeighbourArgs } from "../cli/noisyNeighbourArgs.js";
import { UsageError, usageErrorText } from "../cli/scriptArgs.js";
import { type NoisyNeighbourRun, runNoisyNeighbour } from "./noisyNeighbour.js";
import { MODE_LABELS, renderNoisyNeighbourChart, renderNoisyNeighbourTable } from "./noisyNeighbourReport.js";

async function main(args: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseNoisyNeighbourArgs>;
  try {
    command = parseNoisyNeighbourArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(usageErrorText("noisy-neighbour", error, NOISY_NEIGHBOUR_USAGE));
    return 2;
  }
  if (command.help) {
    process.stdout.write(`${NOISY_NEIGHBOUR_USAGE}\n`);
    return 0;
  }
  const started = new Date();
  const runs: NoisyNeighbourRun[] = [];
  for (const mode of command.modes) {
    process.stderr.write(`noisy-neighbour: ${MODE_LABELS[mode]}\n`);
    runs.push(await runNoisyNeighbour({ mode, timeScale: command.timeScale }));
  }
  const realSeconds = (Date.now() - started.getTime()) / 1000;
  process.stdout.write(
    `# Noisy neighbour: memory backend, time scale ${command.timeScale} (${realSeconds.toFixed(0)} s real)\n\n` +
      "Tenant A sends 10,000 orders at once, tenant B 100, one every 3 s; 40 payment handlers, 3 s per charge.\n" +
      "B's queue time is handler start - sentAt, study time.\n\n" +
      `${renderNoisyNeighbourTable(runs)}\n\n`,
  );
  const outDir = resolve(command.outDir);
  await mkdir(outDir, { recursive: true });
  const stem = `noisy-neighbour-${started.toISOString().replace(/[:.]/g, "-")}`;
  const jsonPath = join(outDir, `${stem}.json`);
  await writeFile(jsonPath, `${JSON.stringify({ timeScale: command.timeScale, realSeconds, runs }, null, 2)}\n`);
  const chartPath = join(outDir, `${stem}.svg`);
  await writeFile(chartPath, renderNoisyNeighbourChart(runs, command.timeScale));
  process.stdout.write(`Results: ${jsonPath}\nChart:   ${chartPath}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `noisy-neighbour failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
