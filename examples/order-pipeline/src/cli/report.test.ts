import { describe, expect, it } from "vitest";
import { checkStartRun, formatChecks, formatProgress, formatSummary, median, type RunSummary } from "./report.js";

const depth = { payment: 12, inventory: 0, notification: 1, dlq: 0, paymentInFlight: 20 };

describe("npm start's report", () => {
  it("shows accepted, processed and queue depth on one progress line", () => {
    const line = formatProgress({
      phase: "sale",
      elapsedMs: 2_345,
      accepted: 120,
      statuses: { PENDING: 60, PAID: 10, COMPLETED: 48, PAYMENT_FAILED: 2 },
      depth,
      gatewayBusy: 5,
    });

    expect(line).not.toContain("\n");
    expect(line).toContain("2.3s sale");
    expect(line).toContain("accepted 120");
    expect(line).toContain("paid 58");
    expect(line).toContain("completed 48");
    expect(line).toContain("failed 2");
    expect(line).toContain("queue 12 (+20 in flight)");
  });

  it("summarises the run in a table, with the gateway's throughput limit", () => {
    const summary: RunSummary = {
      backend: "memory",
      processor: "ecs",
      users: 20,
      saleMs: 3_000,
      workers: 20,
      slots: 5,
      paymentMs: 3_000,
      timeScale: 0.05,
      accepted: 300,
      notAccepted: 0,
      medianLatencyMs: 4.2,
      statuses: { COMPLETED: 299, PAYMENT_FAILED: 1 },
      chargedTwice: 0,
      totalCharges: 299,
      depth: { ...depth, payment: 0, paymentInFlight: 0 },
      paymentThroughputPerSecond: 33.1,
      elapsedMs: 9_500,
    };

    const table = formatSummary(summary);

    for (const row of [
      /\| accepted \(202\) +\| 300 /,
      /\| completed +\| 299 /,
      /\| payment failed +\| 1 /,
      /\| charged twice +\| 0 /,
      /\| DLQ depth +\| 0 /,
      /\| elapsed +\| 9\.5 s \(190 s of study time\)/,
      /33\.1 orders\/s \(gateway limit 5 slots \/ 150 ms = 33\.3\/s\)/,
    ]) {
      expect(table).toMatch(row);
    }
  });

  it("takes the median of odd and even samples", () => {
    expect([median([3, 1, 2]), median([4, 1, 3, 2]), median([])]).toEqual([2, 2.5, undefined]);
  });
});

describe("npm start's checks", () => {
  const settled = { payment: 0, inventory: 0, notification: 0, dlq: 0, paymentInFlight: 0 };

  it("pass when orders were accepted, none charged twice and all settled", () => {
    const checks = checkStartRun({
      accepted: 300,
      chargedTwice: 0,
      statuses: { COMPLETED: 299, PAYMENT_FAILED: 1 },
      depth: settled,
    });

    expect(checks.map((check) => check.ok)).toEqual([true, true, true]);
    expect(formatChecks(checks)).toContain("PASS no order charged twice (0 charged twice)");
  });

  it.each([
    ["nothing was accepted", { accepted: 0 }, "orders were accepted (202)"],
    ["an order was charged twice", { chargedTwice: 1 }, "no order charged twice"],
    [
      "orders are still pending",
      { statuses: { COMPLETED: 290, PENDING: 10 } },
      "every accepted order settled before the drain deadline",
    ],
    [
      "the payment queue is not empty",
      { depth: { ...settled, paymentInFlight: 3 } },
      "every accepted order settled before the drain deadline",
    ],
  ])("fail when %s", (_, change, failing) => {
    const checks = checkStartRun({
      accepted: 300,
      chargedTwice: 0,
      statuses: { COMPLETED: 300 },
      depth: settled,
      ...change,
    });

    expect(checks.filter((check) => !check.ok).map((check) => check.name)).toEqual([failing]);
  });
});
