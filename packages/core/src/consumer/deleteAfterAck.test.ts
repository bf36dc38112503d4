import { describe, expect, it } from "vitest";
import { createLargePayloads } from "../payloads/largePayloads.js";
import type { PayloadStore } from "../payloads/PayloadStore.js";
import { formatPayloadPointer } from "../payloads/payloadPointer.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { tick, useStartedConsumer } from "./testKit.js";

/** A store in a Map, recording deletes. */
function mapStore() {
  const objects = new Map<string, Uint8Array>([["b/k-1", Buffer.from('{"orderId":"o-1"}')]]);
  const deleted: string[] = [];
  const store: PayloadStore = {
    put: async () => ({ bucket: "b", key: "k-new" }),
    get: async (pointer) => objects.get(`${pointer.bucket}/${pointer.key}`)!,
    delete: async (pointer) => void deleted.push(`${pointer.bucket}/${pointer.key}`),
  };
  return { store, deleted };
}

describe("payloads.deleteAfterAck in the core consumer", () => {
  const start = useStartedConsumer();

  it("deletes an offloaded message's object once the source deleted the message, not before", async () => {
    const { store, deleted } = mapStore();
    const queue = new InMemoryQueue();
    queue.send(formatPayloadPointer({ bucket: "b", key: "k-1" }));
    const seen: unknown[] = [];
    start(queue, {
      payloads: createLargePayloads(store, { deleteAfterAck: true }),
      ackFlushMs: 20,
      handler: async (message) => void seen.push(message.body),
    });

    await tick(10);
    expect(seen).toEqual([{ orderId: "o-1" }]);
    expect(deleted).toEqual([]); // succeeded, not yet acked
    await tick(20);

    expect(deleted).toEqual(["b/k-1"]);
  });
});
