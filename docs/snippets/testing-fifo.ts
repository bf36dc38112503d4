// The FIFO snippets of docs/testing.md, as one test file: type-checked in CI, and run by
// packages/core/src/testing/simulate/docs.test.ts, which imports it (a test checks that every TypeScript block of
// the page appears verbatim in testing.ts or here).
import type { ConsumerMessage, HandlerContext } from "@resilient-jobs/core";
import { type SimulationKit, simulateMany } from "@resilient-jobs/core/testing";
import { describe, expect, it } from "vitest";

interface LedgerEntry {
  account: string;
  seq: number;
}

/** Applies an entry to its account once: the ledger outlives a crash of the worker. */
function ledgerHandler(kit: SimulationKit) {
  const ledger = kit.external("ledger", () => new Set<string>());
  return async (message: ConsumerMessage<LedgerEntry>, context: HandlerContext) => {
    const key = `${message.body.account}:${message.body.seq}`;
    await kit.clock.sleep(1_000, context.signal);
    if (ledger.has(key)) return;
    ledger.add(key);
    kit.effect(`entry:${key}`, message); // pass the message: groupOrder orders effects by their message's group
  };
}

const ledgerEntries: LedgerEntry[] = Array.from({ length: 12 }, (_, i) => ({ account: `acct-${i % 3}`, seq: i }));

describe("the ledger handler on a FIFO queue", () => {
  it("applies each account's entries in order, whatever the faults, across 200 seeds", async () => {
    const { failure } = await simulateMany<LedgerEntry>({
      runs: 200,
      queue: { fifo: true },
      messages: ledgerEntries.map((entry) => ({ body: entry, groupId: entry.account })),
      consumer: { concurrency: 4 },
      faults: { visibilityExpiry: 0.05, ackFailure: 0.05, crash: { probability: 0.05 } },
      handler: ledgerHandler,
    });

    expect(failure?.report()).toBeUndefined();
  });
});
