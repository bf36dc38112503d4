import type { ConsumerMessage, HandlerContext } from "@resilient-jobs/core";
import { silentLogger } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { FifoGroupBlockedError } from "../errors.js";
import { sequenceByGroup } from "./sequenceByGroup.js";

function message(id: string, groupId: string | undefined): ConsumerMessage<string> {
  return {
    id,
    body: id,
    attributes: {},
    receiveCount: 1,
    sentAt: 0,
    groupId,
    sns: undefined,
    raw: { id, body: id, attributes: {}, receiveCount: 1, sentAt: 0, groupId, receiptHandle: `rh-${id}` },
  };
}

function context(signal = new AbortController().signal): HandlerContext {
  return { signal, attempt: 1, log: silentLogger };
}

/** A handler whose calls finish only when the test says so. */
function controllableHandler() {
  const started: string[] = [];
  const finish = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
  const handler = (m: ConsumerMessage<string>) => {
    started.push(m.id);
    return new Promise<void>((resolve, reject) => finish.set(m.id, { resolve, reject }));
  };
  return { handler, started, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("sequenceByGroup", () => {
  it("runs messages of one group one after another, in order", async () => {
    const { handler, started, finish } = controllableHandler();
    const sequenced = sequenceByGroup(handler);

    const runs = ["a1", "a2", "a3"].map((id) => sequenced(message(id, "a"), context()));
    await tick();
    expect(started).toEqual(["a1"]);
    finish.get("a1")?.resolve();
    await tick();
    expect(started).toEqual(["a1", "a2"]);
    finish.get("a2")?.resolve();
    await tick();
    finish.get("a3")?.resolve();

    await Promise.all(runs);
    expect(started).toEqual(["a1", "a2", "a3"]);
  });

  it("runs different groups and ungrouped messages concurrently", async () => {
    const { handler, started } = controllableHandler();
    const sequenced = sequenceByGroup(handler);

    void sequenced(message("a1", "a"), context());
    void sequenced(message("b1", "b"), context());
    void sequenced(message("x", undefined), context());
    void sequenced(message("y", undefined), context());
    await tick();

    expect(started.sort()).toEqual(["a1", "b1", "x", "y"]);
  });

  it("fails the waiting messages of a group without running them when an earlier one fails", async () => {
    const { handler, started, finish } = controllableHandler();
    const sequenced = sequenceByGroup(handler);
    const first = sequenced(message("a1", "a"), context());
    const second = sequenced(message("a2", "a"), context());
    const third = sequenced(message("a3", "a"), context());
    await tick();

    finish.get("a1")?.reject(new Error("boom"));

    await expect(first).rejects.toThrow("boom");
    await expect(second).rejects.toBeInstanceOf(FifoGroupBlockedError);
    await expect(third).rejects.toBeInstanceOf(FifoGroupBlockedError);
    expect(started).toEqual(["a1"]);
  });

  it("starts a group afresh once its last message has settled", async () => {
    const { handler, started, finish } = controllableHandler();
    const sequenced = sequenceByGroup(handler);
    const failed = Promise.resolve(sequenced(message("a1", "a"), context()));
    await tick();
    finish.get("a1")?.reject(new Error("boom"));
    await failed.catch(() => {});
    await tick();

    void sequenced(message("a1-again", "a"), context());
    await tick();

    expect(started).toEqual(["a1", "a1-again"]);
  });

  it("stops waiting when the handler's signal aborts (shutdown)", async () => {
    const { handler, started } = controllableHandler();
    const sequenced = sequenceByGroup(handler);
    void sequenced(message("a1", "a"), context());
    const controller = new AbortController();
    const waiting = sequenced(message("a2", "a"), context(controller.signal));

    controller.abort(new Error("shutdown"));

    await expect(waiting).rejects.toThrow("shutdown");
    expect(started).toEqual(["a1"]);
  });
});
