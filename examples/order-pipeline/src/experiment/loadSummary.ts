import type { ClosedLoopResult } from "./loadDriver.js";
import { type LatencySummary, summarizeLatencies } from "./statistics.js";

/** The load tool's figures for one closed-loop run, as the study's tables report them. */
export interface LoadSummary {
  readonly requests: number;
  readonly ok: number;
  /** Requests that did not get a 2xx answer (timeouts included). */
  readonly failures: number;
  readonly timeouts: number;
  /** failures / requests, 0 to 1. */
  readonly failureShare: number;
  /** timeouts / requests, 0 to 1. */
  readonly timeoutShare: number;
  /** Latency of every request, failures included (a timeout counts as the timeout): study or real ms. */
  readonly latency: LatencySummary;
  /** Successful answers received inside the window, per study second. */
  readonly okPerSecond: number;
  /** Requests started per study second. */
  readonly requestsPerSecond: number;
}

/** How to read a run's real milliseconds. */
export interface SummaryScale {
  /** The run's time scale: the window is reported in study seconds (real / timeScale). */
  readonly timeScale: number;
  /**
   * `"study"` divides latencies by the time scale too (the scaled payment dominates them); `"real"` keeps
   * them as measured, for work the scale does not shrink (HTTP, validation, a publish).
   */
  readonly latency: "study" | "real";
}

/** Summarizes a run: latencies and rates as the study's load tool reported them. */
export function summarizeLoad(result: ClosedLoopResult, scale: SummaryScale): LoadSummary {
  const { records, durationMs } = result;
  const toReportedMs = scale.latency === "study" ? (ms: number) => ms / scale.timeScale : (ms: number) => ms;
  let ok = 0;
  let okInWindow = 0;
  let timeouts = 0;
  const latencies: number[] = [];
  for (const record of records) {
    latencies.push(toReportedMs(record.endMs - record.startMs));
    if (record.outcome === "ok") {
      ok += 1;
      if (record.endMs <= durationMs) okInWindow += 1;
    } else if (record.outcome === "timeout") {
      timeouts += 1;
    }
  }
  const requests = records.length;
  const windowSeconds = durationMs / scale.timeScale / 1000;
  return {
    requests,
    ok,
    failures: requests - ok,
    timeouts,
    failureShare: requests === 0 ? 0 : (requests - ok) / requests,
    timeoutShare: requests === 0 ? 0 : timeouts / requests,
    latency: summarizeLatencies(latencies),
    okPerSecond: okInWindow / windowSeconds,
    requestsPerSecond: requests / windowSeconds,
  };
}
