/**
 * `npm run bench -w examples/order-pipeline -- [flags]`: the flow-control bench (flowBench.ts). Prints the
 * report, writes the results (JSON) and the limit-over-time chart (SVG) into the results folder. Missed targets
 * are marked and listed; like the packages' benches it exits 0 (1 with `--strict`), 2 on a usage error.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { FLOW_BENCH_USAGE, parseFlowBenchArgs } from "../cli/flowBenchArgs.js";
import { UsageError, usageErrorText } from "../cli/scriptArgs.js";
import { renderLineChart } from "../experiment/svgChart.js";
import { limitChartSeries, PAYMENT_MS, runFlowBench } from "./flowBench.js";
import { renderFlowBenchReport } from "./flowBenchReport.js";

async function main(args: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseFlowBenchArgs>;
  try {
    command = parseFlowBenchArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(usageErrorText("bench", error, FLOW_BENCH_USAGE));
    return 2;
  }
  if (command.help) {
    process.stdout.write(`${FLOW_BENCH_USAGE}\n`);
    return 0;
  }
  const result = await runFlowBench(
    command.timeScale,
    command.repeats,
    (line) => process.stderr.write(`bench: ${line}\n`),
    command.clock,
  );
  process.stdout.write(`${renderFlowBenchReport(result)}\n`);

  const outDir = resolve(command.outDir);
  await mkdir(outDir, { recursive: true });
  const stem = `flow-bench-${result.startedAt.replace(/[:.]/g, "-")}`;
  const jsonPath = join(outDir, `${stem}.json`);
  await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const chartPath = join(outDir, `${stem}.svg`);
  await writeFile(
    chartPath,
    renderLineChart({
      title: `Adaptive concurrency limit while the gateway's capacity goes 20 -> 5 -> 20 (payment ${PAYMENT_MS / 1000} s)`,
      xLabel: `study time (s); memory backend at time scale ${result.timeScale}${result.clock === "virtual" ? " on the virtual clock" : ""}, last repeat`,
      yLabel: "handlers allowed at once / gateway slots",
      series: limitChartSeries(result.repeats.at(-1)!),
      maxPointsPerSeries: 2_000,
    }),
  );
  process.stdout.write(`Results: ${jsonPath}\nChart:   ${chartPath}\n`);
  const missed = result.targets.filter((target) => !target.met);
  if (missed.length > 0) {
    process.stderr.write(`bench: ${missed.length} target(s) missed: ${missed.map((t) => t.name).join("; ")}\n`);
    if (command.strict) return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
