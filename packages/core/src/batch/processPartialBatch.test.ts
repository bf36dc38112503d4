import { describe, expect, it, vi } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { processPartialBatch } from "./processPartialBatch.js";
import { RecordNotStartedError } from "./RecordNotStartedError.js";

interface TestRecord {
  messageId: string;
  attributes?: { MessageGroupId?: string };
}

function recordsOf(count: number, groupOf?: (i: number) => string | undefined): TestRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    messageId: `m-${i}`,
    attributes: { MessageGroupId: groupOf?.(i) },
  }));
}

function idsOf(response: { batchItemFailures: Array<{ itemIdentifier: string }> }): string[] {
  return response.batchItemFailures.map((f) => f.itemIdentifier);
}

/** Lets every ready promise callback run (resolved handlers, worker loops). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Handlers that wait until the test releases them, counting how many run at once. */
function gatedHandler() {
  const waiting = new Map<number, () => void>();
  const started: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handler = async (_record: TestRecord, index: number) => {
    started.push(index);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => waiting.set(index, resolve));
    inFlight--;
  };
  return {
    handler,
    started,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Releases every waiting handler, round after round, until the batch is done. */
    async releaseAll(done: Promise<unknown>): Promise<void> {
      let finished = false;
      void done.finally(() => {
        finished = true;
      });
      while (!finished) {
        await settle();
        for (const [index, release] of waiting) {
          waiting.delete(index);
          release();
        }
      }
    },
  };
}

describe("processPartialBatch", () => {
  it("reports no failures when every record succeeds, calling the handler with each record and index", async () => {
    const records = recordsOf(3);
    const handler = vi.fn(async () => undefined);

    const response = await processPartialBatch(records, handler);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(handler.mock.calls).toEqual([
      [records[0], 0],
      [records[1], 1],
      [records[2], 2],
    ]);
  });

  it("resolves with no failures for an empty batch", async () => {
    await expect(processPartialBatch([], async () => undefined)).resolves.toEqual({ batchItemFailures: [] });
  });

  it("reports rejections, synchronous throws and non-Error throws without rejecting itself", async () => {
    const records = recordsOf(4);

    const response = await processPartialBatch(records, (_record, index) => {
      if (index === 0) throw new Error("sync");
      if (index === 1) return Promise.reject("a string");
      if (index === 3) return Promise.reject(new Error("async"));
      return Promise.resolve();
    });

    expect(idsOf(response)).toEqual(["m-0", "m-1", "m-3"]);
  });

  it("lists failures in record order even when later records fail first", async () => {
    const records = recordsOf(3);
    let releaseFirst: () => void = () => undefined;
    const firstMayFail = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });

    const response = await processPartialBatch(records, async (_record, index) => {
      if (index === 0) await firstMayFail;
      if (index === 2) {
        releaseFirst(); // record 2 fails before record 0 does
        throw new Error("two");
      }
      if (index === 0) throw new Error("zero");
    });

    expect(idsOf(response)).toEqual(["m-0", "m-2"]);
  });

  it("passes each failure to onFailure as it happens and ignores errors onFailure throws", async () => {
    const records = recordsOf(3);
    const boom = new Error("boom");
    const onFailure = vi.fn(() => {
      throw new Error("logger down");
    });

    const response = await processPartialBatch(
      records,
      async (_record, index) => {
        if (index === 1) throw boom;
      },
      { onFailure },
    );

    expect(idsOf(response)).toEqual(["m-1"]);
    expect(onFailure).toHaveBeenCalledExactlyOnceWith(records[1], boom);
  });

  it("keeps two batches processed at the same time apart", async () => {
    const first = processPartialBatch(recordsOf(4), async (_r, i) => {
      await settle();
      if (i === 1) throw new Error("x");
    });
    const second = processPartialBatch(recordsOf(4), async (_r, i) => {
      if (i === 3) throw new Error("y");
    });

    expect(idsOf(await first)).toEqual(["m-1"]);
    expect(idsOf(await second)).toEqual(["m-3"]);
  });
});

describe("processPartialBatch: concurrency", () => {
  it("starts every record at once by default", async () => {
    const gate = gatedHandler();

    const done = processPartialBatch(recordsOf(10), gate.handler);
    await gate.releaseAll(done);

    expect(gate.maxInFlight).toBe(10);
    expect(idsOf(await done)).toEqual([]);
  });

  it.each([1, 3, 7])("never runs more than concurrency %i records at once, and runs them all", async (concurrency) => {
    const gate = gatedHandler();

    const done = processPartialBatch(recordsOf(10), gate.handler, { concurrency });
    await gate.releaseAll(done);

    expect(gate.maxInFlight).toBe(concurrency);
    expect([...gate.started].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("starts records in record order when bounded", async () => {
    const gate = gatedHandler();

    const done = processPartialBatch(recordsOf(6), gate.handler, { concurrency: 2 });
    await gate.releaseAll(done);

    expect(gate.started).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe("processPartialBatch: canStart (remaining-time guard)", () => {
  it("reports records it may not start as failures without running them, and stops asking", async () => {
    const records = recordsOf(5);
    let allowed = 2;
    const canStart = vi.fn(() => allowed-- > 0);
    const handler = vi.fn(async () => undefined);
    const onFailure = vi.fn();

    const response = await processPartialBatch(records, handler, { canStart, onFailure, concurrency: 1 });

    expect(handler).toHaveBeenCalledTimes(2);
    expect(idsOf(response)).toEqual(["m-2", "m-3", "m-4"]);
    expect(canStart).toHaveBeenCalledTimes(3);
    const error = onFailure.mock.calls[0]?.[1];
    expect(error).toBeInstanceOf(RecordNotStartedError);
    expect((error as RecordNotStartedError).reason).toBe("out-of-time");
    expect((error as RecordNotStartedError).code).toBe("TRANSIENT");
  });

  it("checks before each record, also when all start at once", async () => {
    let now = 0;
    const handler = vi.fn(async () => {
      now += 10;
    });

    // A handler runs synchronously up to its first await, so the second check already sees the first one's tick.
    const response = await processPartialBatch(recordsOf(3), handler, { canStart: () => now < 10 });

    expect(handler).toHaveBeenCalledTimes(1);
    expect(idsOf(response)).toEqual(["m-1", "m-2"]);
  });

  it("treats a canStart that throws as no, keeping what it threw as the cause", async () => {
    const broken = new Error("no context");
    const onFailure = vi.fn();

    const response = await processPartialBatch(recordsOf(2), async () => undefined, {
      canStart: () => {
        throw broken;
      },
      onFailure,
    });

    expect(idsOf(response)).toEqual(["m-0", "m-1"]);
    expect(onFailure.mock.calls[0]?.[1]).toHaveProperty("cause", broken);
  });
});

describe("processPartialBatch: FIFO scope batch", () => {
  it("runs one record at a time whatever concurrency says", async () => {
    const gate = gatedHandler();

    const done = processPartialBatch(recordsOf(5), gate.handler, { fifo: true, concurrency: 5 });
    await gate.releaseAll(done);

    expect(gate.maxInFlight).toBe(1);
    expect(gate.started).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([true, { scope: "batch" as const }])(
    "with fifo %j stops at the first failure and reports it and every later record",
    async (fifo) => {
      const records = recordsOf(5, (i) => (i % 2 ? "B" : "A"));
      const handler = vi.fn(async (_record: TestRecord, index: number) => {
        if (index === 2) throw new Error("payment declined");
      });
      const onFailure = vi.fn();

      const response = await processPartialBatch(records, handler, { fifo, onFailure });

      expect(handler).toHaveBeenCalledTimes(3);
      expect(idsOf(response)).toEqual(["m-2", "m-3", "m-4"]);
      expect(onFailure.mock.calls.map(([, e]) => (e as RecordNotStartedError).reason)).toEqual([
        undefined,
        "fifo-batch-stopped",
        "fifo-batch-stopped",
      ]);
    },
  );

  it("reports the rest as not started when out of time", async () => {
    let allowed = 1;

    const response = await processPartialBatch(recordsOf(3), async () => undefined, {
      fifo: true,
      canStart: () => allowed-- > 0,
    });

    expect(idsOf(response)).toEqual(["m-1", "m-2"]);
  });
});

describe("processPartialBatch: FIFO scope group", () => {
  const fifo = { scope: "group" } as const;

  it("skips only later records of the failed record's group; other groups go on", async () => {
    const groups = ["A", "B", "A", "B", "A", "C"];
    const records = recordsOf(groups.length, (i) => groups[i]);
    const ran: number[] = [];

    const response = await processPartialBatch(
      records,
      async (_record, index) => {
        ran.push(index);
        if (index === 0) throw new Error("first A fails");
      },
      { fifo, concurrency: 1 },
    );

    expect(ran).toEqual([0, 1, 3, 5]);
    expect(idsOf(response)).toEqual(["m-0", "m-2", "m-4"]);
  });

  it("runs groups concurrently up to the bound, each group in order", async () => {
    const groups = ["A", "B", "C", "A", "B", "C", "A"];
    const records = recordsOf(groups.length, (i) => groups[i]);
    const inFlightByGroup = new Map<string, number>();
    let maxInGroup = 0;
    const gate = gatedHandler();
    const handler = async (record: TestRecord, index: number) => {
      const group = record.attributes?.MessageGroupId ?? "";
      inFlightByGroup.set(group, (inFlightByGroup.get(group) ?? 0) + 1);
      maxInGroup = Math.max(maxInGroup, inFlightByGroup.get(group) ?? 0);
      await gate.handler(record, index);
      inFlightByGroup.set(group, (inFlightByGroup.get(group) ?? 0) - 1);
    };

    const done = processPartialBatch(records, handler, { fifo, concurrency: 2 });
    await gate.releaseAll(done);

    expect(gate.maxInFlight).toBe(2);
    expect(maxInGroup).toBe(1);
    const orderOf = (g: string) => gate.started.filter((i) => groups[i] === g);
    expect(orderOf("A")).toEqual([0, 3, 6]);
    expect(orderOf("B")).toEqual([1, 4]);
    expect(orderOf("C")).toEqual([2, 5]);
  });

  it("never skips records without a group id for another record's failure", async () => {
    const records = recordsOf(3, () => undefined);

    const response = await processPartialBatch(
      records,
      async (_r, index) => {
        if (index === 0) throw new Error("x");
      },
      { fifo },
    );

    expect(idsOf(response)).toEqual(["m-0"]);
  });

  it("reads group ids with getGroupId", async () => {
    const records = [
      { id: "a", group: "G" },
      { id: "b", group: "G" },
      { id: "c", group: "H" },
    ];

    const response = await processPartialBatch(
      records,
      async (record) => {
        if (record.id === "a") throw new Error("x");
      },
      { fifo, getId: (r) => r.id, getGroupId: (r) => r.group },
    );

    expect(idsOf(response)).toEqual(["a", "b"]);
  });
});

describe("processPartialBatch: ids", () => {
  it("reads ids with getId, only for failed records", async () => {
    const records = [{ key: "x" }, { key: "y" }, { key: "z" }];
    const getId = vi.fn((r: { key: string }) => `id-${r.key}`);

    const response = await processPartialBatch(
      records,
      async (r) => {
        if (r.key === "y") throw new Error("x");
      },
      { getId },
    );

    expect(idsOf(response)).toEqual(["id-y"]);
    expect(getId).toHaveBeenCalledExactlyOnceWith(records[1]);
  });

  it("rejects, after running every record, when a failed record has no id, so the whole batch is retried", async () => {
    const handler = vi.fn(async () => {
      throw new Error("x");
    });

    const outcome = processPartialBatch([{ body: "no id" }, { body: "none either" }], handler);

    await expect(outcome).rejects.toThrow(InvalidOptionError);
    await expect(outcome).rejects.toThrow(/^Expected `getId` to be .*, got undefined$/);
    expect(handler).toHaveBeenCalledTimes(2);
  });
});

describe("processPartialBatch: arguments", () => {
  it.each([
    [{ concurrency: 0 }, "concurrency"],
    [{ concurrency: 1.5 }, "concurrency"],
    [{ concurrency: "3" }, "concurrency"],
    [{ concurrency: Number.NaN }, "concurrency"],
    [{ fifo: { scope: "queue" } }, "fifo"],
    [{ fifo: "yes" }, "fifo"],
    [{ canStart: true }, "canStart"],
    [{ getId: "messageId" }, "getId"],
  ])("rejects %j naming the option", async (options, option) => {
    const outcome = processPartialBatch(recordsOf(1), async () => undefined, options as never);

    await expect(outcome).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(outcome).rejects.toHaveProperty("option", option);
  });

  it("accepts Infinity as concurrency", async () => {
    await expect(
      processPartialBatch(recordsOf(2), async () => undefined, { concurrency: Number.POSITIVE_INFINITY }),
    ).resolves.toEqual({ batchItemFailures: [] });
  });

  it("rejects records that are not an array", async () => {
    await expect(processPartialBatch({ Records: [] } as never, async () => undefined)).rejects.toHaveProperty(
      "option",
      "records",
    );
  });
});
