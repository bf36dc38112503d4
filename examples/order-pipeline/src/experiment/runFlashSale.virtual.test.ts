/**
 * The flash-sale experiment on the virtual clock: the study's real time scale (3 s payments, a drain of an hour
 * here) in seconds of real time, the queueing estimates met, and the same figures on every run with the seed.
 */
import { describe, expect, it } from "vitest";
import { renderReport } from "./report.js";
import { runFlashSale } from "./runFlashSale.js";
import { checkShapes } from "./shapes.js";

/** A shorter load than the default (20 s), so the one-worker drain is ~1 h of study time. */
const OPTIONS = {
  clock: "virtual",
  durationMs: 20_000,
  users: [5, 20],
  workers: [1, 20],
  seed: 11,
} as const;

/** The report without its one real-time line. */
function figures(report: string): string {
  return report
    .split("\n")
    .filter((line) => !line.startsWith("The whole experiment took"))
    .join("\n");
}

describe("runFlashSale on the virtual clock", () => {
  it("prints the same figures on every run with the same seed, and others with another", async () => {
    const first = await runFlashSale(OPTIONS);
    const second = await runFlashSale(OPTIONS);
    const other = await runFlashSale({ ...OPTIONS, seed: 12 });

    const report = (result: typeof first) => figures(renderReport(result, checkShapes(result)));
    expect(report(second)).toBe(report(first));
    expect(report(other)).not.toBe(report(first));
    expect(first.config.timeScale).toBe(1);
  }, 60_000);

  it("meets the queueing estimates, loses nothing, and simulates far faster than real time", async () => {
    const result = await runFlashSale({ ...OPTIONS, phases: ["workers"] });

    const failed = checkShapes(result).filter((check) => !check.ok);
    expect(failed).toEqual([]);
    const oneWorker = result.workers[0]!;
    expect(oneWorker.drainMs).toBeGreaterThan(30 * 60_000);
    expect(oneWorker.integrity).toMatchObject({ lost: 0, chargedTwice: 0, deadLettered: 0 });
    expect(result.studySeconds / result.realSeconds).toBeGreaterThan(100);
  }, 60_000);
});
