/** Number and duration formats shared by the report and the chart. */

/** A study duration the way the study wrote it: ms under a second, then s, min, h. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "n/a";
  if (ms < 1_000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  if (seconds < 7_200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

/** A count with thousands separators. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a";
}

/** A rate per second with 2-3 significant digits. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "n/a";
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toFixed(digits)}/s`;
}

/** A share (0 to 1) as a percentage. */
export function formatShare(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%` : "n/a";
}

/** `actual` against `expected` as a signed percentage (`+4%`), or empty when it cannot be computed. */
export function formatDeviation(actual: number | undefined, expected: number): string {
  if (actual === undefined || !Number.isFinite(actual) || !(expected > 0)) return "";
  const deviation = ((actual - expected) / expected) * 100;
  return `${deviation >= 0 ? "+" : ""}${deviation.toFixed(0)}%`;
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
