/**
 * The chaos run in `npm test`: the shortened CI run (1,000 orders, SIGKILLs, a SIGTERM, 5% SQS errors, 2%
 * duplicate deliveries, 1% poison, a gateway outage), then a SIGTERM drain under load without other faults.
 * Worker and emulator processes are bundled from the sources first. The runs take ~40 s and ~20 s on 2 cores.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleChaos } from "./bundle.js";
import { CI_CHAOS } from "./options.js";
import { type ChaosScripts, runChaos } from "./runChaos.js";
import { formatChaosSummary } from "./summary.js";

let scripts: ChaosScripts;

beforeAll(async () => {
  scripts = await bundleChaos(fileURLToPath(new URL("../dist/chaos-test", import.meta.url)));
}, 60_000);

describe("chaos run", () => {
  it("keeps every valid order charged exactly once and COMPLETED, and parks every poison order with its reason", async () => {
    const report = await runChaos(scripts, CI_CHAOS);

    // The summary names every violation; printed only when there is one. Orders hit by the known bug of
    // paymentAfterCrash.test.ts (it.fails there) are counted apart: whether a SIGKILL lands mid-charge is timing.
    expect(report.reconciliation.otherViolations, formatChaosSummary(report)).toEqual([]);
    expect(report.reconciliation.heldClaimOrders.length).toBeLessThanOrEqual(CI_CHAOS.kills * CI_CHAOS.paymentWorkers);
    expect(report.load.accepted).toHaveLength(CI_CHAOS.orders);
    expect(report.fleet.killed).toHaveLength(CI_CHAOS.kills);
    expect(report.proxy.refused + report.proxy.lostResponses).toBeGreaterThan(0);
    expect(report.proxy.duplicatesSent).toBeGreaterThan(0);
    expect(report.poison.length).toBe(Math.round(CI_CHAOS.orders * CI_CHAOS.poisonRate));
  }, 150_000);

  it("drains SIGTERMed workers under load within the grace period: nothing lost, nothing charged twice", async () => {
    const report = await runChaos(scripts, {
      ...CI_CHAOS,
      orders: 500,
      kills: 0,
      sigterms: 3,
      sqsErrorRate: 0,
      duplicateRate: 0,
      poisonRate: 0,
      studyOutageMs: 0,
      seed: 7,
    });

    expect(report.reconciliation.violations, formatChaosSummary(report)).toEqual([]);
    const duringLoad = report.fleet.drains.slice(0, 3);
    expect(duringLoad.map((drain) => ({ forced: drain.forced, exitCode: drain.exitCode }))).toEqual([
      { forced: false, exitCode: 0 },
      { forced: false, exitCode: 0 },
      { forced: false, exitCode: 0 },
    ]);
    // A drain that finishes its charges never sends an order to the gateway a second time.
    expect(report.gateway.calls).toBe(report.gateway.charges);
  }, 120_000);
});
