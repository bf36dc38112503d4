import { describe, expect, it } from "vitest";
import { RecordNotStartedError } from "./RecordNotStartedError.js";
import { runBatch } from "./runBatch.js";

const records = ["a", "b", "c", "d"];
const failOn =
  (...ids: string[]) =>
  async (record: string) => {
    if (ids.includes(record)) throw new Error(`failed ${record}`);
  };

describe("runBatch", () => {
  it("resolves with the failed indices in record order", async () => {
    const failed = await runBatch(records, failOn("c", "a"), { concurrency: 4 });

    expect(failed).toEqual([0, 2]);
  });

  it("with fifo false runs like no fifo", async () => {
    const failed = await runBatch(records, failOn("b"), { concurrency: 1, fifo: false });

    expect(failed).toEqual([1]);
  });

  it("with fifo batch stops at the first failure and reports every later record as not started", async () => {
    const reasons: string[] = [];

    const failed = await runBatch(records, failOn("b"), {
      concurrency: 10,
      fifo: "batch",
      onFailure: (_, error) => reasons.push(error instanceof RecordNotStartedError ? error.reason : "failed"),
    });

    expect(failed).toEqual([1, 2, 3]);
    expect(reasons).toEqual(["failed", "fifo-batch-stopped", "fifo-batch-stopped"]);
  });

  it("with fifo group stops only the failed record's group", async () => {
    const groupOf: Record<string, string> = { a: "g1", b: "g2", c: "g1", d: "g2" };

    const failed = await runBatch(records, failOn("a"), {
      concurrency: 2,
      fifo: "group",
      getGroupId: (record) => groupOf[record],
    });

    expect(failed).toEqual([0, 2]);
  });
});
