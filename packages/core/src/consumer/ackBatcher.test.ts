import { describe, expect, it, vi } from "vitest";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { createRecordingLogger, overrideSource, tick, useStartedConsumer } from "./testKit.js";

describe("batched acks", () => {
  const start = useStartedConsumer();

  it("acks in batches: at once when a batch is full", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch(Array.from({ length: 10 }, () => ({ body: "{}" })));
    const ack = vi.spyOn(queue, "ack");
    start(queue, { concurrency: 10, ackBatchSize: 10, ackFlushMs: 1_000 });

    await tick();

    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack.mock.calls[0]?.[0]).toHaveLength(10);
  });

  it("acks in batches: a partial batch after ackFlushMs", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch(Array.from({ length: 3 }, () => ({ body: "{}" })));
    const ack = vi.spyOn(queue, "ack");
    start(queue, { concurrency: 10, ackFlushMs: 20 });

    await tick(19);
    expect(ack).not.toHaveBeenCalled();
    await tick(1);

    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack.mock.calls[0]?.[0]).toHaveLength(3);
    expect(queue.stats().inFlight).toBe(0);
  });

  it("reports acks that failed, with an event and a log line (fault injection)", async () => {
    const queue = new InMemoryQueue();
    const { id } = queue.send("{}");
    const broken = overrideSource(queue, {
      ack: async (messages) => ({
        failed: messages.map((message) => ({ message, error: new Error("ReceiptHandleIsInvalid") })),
      }),
    });
    const { logger, lines } = createRecordingLogger();
    const c = start(broken, { logger });
    const failed: QueueMessage[] = [];
    c.on("ackFailed", (e) => failed.push(e.message));

    await tick(5);

    expect(failed.map((m) => m.id)).toEqual([id]);
    expect(lines.find((l) => l.level === "warn" && l.message.startsWith("ack failed"))?.fields).toMatchObject({
      messageIds: [id],
    });
    expect(c.stats()).toMatchObject({ acked: 0, ackFailed: 1 });
  });

  it("reports a rejected ack call as a failure of every message in it (fault injection)", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    const broken = overrideSource(queue, { ack: () => Promise.reject(new Error("socket hang up")) });
    const c = start(broken, {});

    await tick(5);

    expect(c.stats().ackFailed).toBe(2);
  });

  it("emits acked for each message the source deleted, after the batched delete, not for those it could not (fault injection)", async () => {
    const queue = new InMemoryQueue();
    const [kept, lost] = queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    const partly = overrideSource(queue, {
      ack: async (messages) => {
        const outcome = await queue.ack(messages.filter((m) => m.id !== lost?.id));
        const failed = messages.filter((m) => m.id === lost?.id);
        return {
          failed: [...outcome.failed, ...failed.map((message) => ({ message, error: new Error("Throttled") }))],
        };
      },
    });
    const c = start(partly, { ackFlushMs: 20 });
    const events: string[] = [];
    c.on("succeeded", (e) => events.push(`succeeded ${e.message.id}`));
    c.on("acked", (e) => events.push(`acked ${e.message.id}`));

    await tick(19);
    expect(events.filter((e) => e.startsWith("acked"))).toEqual([]);
    await tick(1);

    expect(events.filter((e) => e.startsWith("acked"))).toEqual([`acked ${kept?.id}`]);
    expect(events.filter((e) => e.startsWith("succeeded"))).toHaveLength(2);
    expect(c.stats()).toMatchObject({ succeeded: 2, acked: 1, ackFailed: 1 });
  });
});
