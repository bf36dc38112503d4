import { describe, expect, it } from "vitest";
import type { BatchItemFailure } from "./sendBatchWithRetry.js";
import { createVisibilityBatcher, type VisibilityChange } from "./visibilityBatcher.js";

type Msg = { id: string };

function recordingSender(fail: (change: VisibilityChange<Msg>) => unknown = () => undefined) {
  const batches: string[][] = [];
  const send = async (changes: readonly VisibilityChange<Msg>[]) => {
    batches.push(changes.map((c) => `${c.id}:${c.seconds}`));
    const failures: BatchItemFailure<VisibilityChange<Msg>>[] = [];
    for (const change of changes) {
      const error = fail(change);
      if (error !== undefined) failures.push({ item: change, error });
    }
    return failures;
  };
  return { batches, send };
}

describe("createVisibilityBatcher", () => {
  it("sends the changes requested in one turn of the event loop as one batch", async () => {
    const { batches, send } = recordingSender();
    const batcher = createVisibilityBatcher<Msg>(10, send);

    const results = await Promise.all([1, 2, 3].map((n) => batcher.change({ id: `m${n}` }, n)));

    expect(batches).toEqual([["m1:1", "m2:2", "m3:3"]]);
    expect(results).toEqual([undefined, undefined, undefined]);
  });

  it("sends a full batch at once and splits more changes into batches of the maximum", async () => {
    const { batches, send } = recordingSender();
    const batcher = createVisibilityBatcher<Msg>(10, send);

    await Promise.all(Array.from({ length: 23 }, (_, i) => batcher.change({ id: `m${i}` }, 0)));

    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it("gives each caller the error of its own entry", async () => {
    const refused = new Error("ReceiptHandleIsInvalid");
    const { send } = recordingSender((change) => (change.id === "m2" ? refused : undefined));
    const batcher = createVisibilityBatcher<Msg>(10, send);

    const results = await Promise.all(["m1", "m2", "m3"].map((id) => batcher.change({ id }, 5)));

    expect(results).toEqual([undefined, refused, undefined]);
  });

  it("gives every caller of a batch the error when the whole call fails", async () => {
    const down = new Error("network down");
    const batcher = createVisibilityBatcher<Msg>(10, () => Promise.reject(down));

    const results = await Promise.all(["m1", "m2"].map((id) => batcher.change({ id }, 5)));

    expect(results).toEqual([down, down]);
  });

  it("flush() sends what is queued and waits for the answers", async () => {
    const { batches, send } = recordingSender();
    const batcher = createVisibilityBatcher<Msg>(10, send);
    const pending = batcher.change({ id: "m1" }, 1);

    await batcher.flush();

    expect(batches).toEqual([["m1:1"]]);
    await expect(pending).resolves.toBeUndefined();
  });
});
