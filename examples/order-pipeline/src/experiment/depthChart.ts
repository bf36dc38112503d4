import { workersLabel } from "./options.js";
import type { FlashSaleResult } from "./runFlashSale.js";
import { renderLineChart } from "./svgChart.js";

/** Seconds, minutes or hours, whichever keeps the axis numbers readable. */
function timeUnit(maxSeconds: number): { readonly name: string; readonly seconds: number } {
  if (maxSeconds <= 600) return { name: "s", seconds: 1 };
  if (maxSeconds <= 7_200) return { name: "min", seconds: 60 };
  return { name: "h", seconds: 3600 };
}

/**
 * The study's chart: payment queue depth (visible + in flight) over study time, one line per worker count,
 * with the end of the load marked. Undefined when no worker run was made.
 */
export function renderDepthChart(result: FlashSaleResult): string | undefined {
  if (result.workers.length === 0) return undefined;
  const { config } = result;
  const maxSeconds = Math.max(...result.workers.map((run) => run.depth.at(-1)?.atSeconds ?? 0));
  const unit = timeUnit(maxSeconds);
  return renderLineChart({
    title: `Payment queue depth: ${result.asyncUsers} users for ${config.durationMs / 1000} s, payment ${config.paymentMs / 1000} s, slots ${config.slots}`,
    xLabel: `study time (${unit.name}); ${config.backend} backend at time scale ${config.timeScale}`,
    yLabel: "messages waiting + in flight",
    series: result.workers.map((run) => ({
      label: workersLabel(run.workers),
      points: run.depth.map((point) => [point.atSeconds / unit.seconds, point.depth] as const),
    })),
    marker: { x: config.durationMs / 1000 / unit.seconds, label: "load ends" },
  });
}
