/** The offload step checks the attribute count before it uploads, and deletes what it uploaded for nothing. */
import { createLargePayloads, PAYLOAD_ATTRIBUTES, type PayloadPointer, type PayloadStore } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import type { EncodedMessage } from "./encodeMessage.js";
import { InvalidMessageError } from "./errors.js";
import { byteLength } from "./messageAttributes.js";
import { offloadAll } from "./offload.js";

function memoryStore(): PayloadStore & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  let n = 0;
  return {
    objects,
    async put(bytes) {
      const pointer = { bucket: "b", key: `k-${n++}` };
      objects.set(pointer.key, bytes);
      return pointer;
    },
    async get(pointer: PayloadPointer) {
      const bytes = objects.get(pointer.key);
      if (bytes === undefined) throw new Error("missing");
      return bytes;
    },
    async delete(pointer: PayloadPointer) {
      objects.delete(pointer.key);
    },
  };
}

function entryWith(attributeCount: number, body: string): EncodedMessage {
  const attributes: EncodedMessage["attributes"] = {};
  for (let i = 0; i < attributeCount; i++) attributes[`a${i}`] = { DataType: "String", StringValue: "v" };
  let size = byteLength(body);
  for (const name of Object.keys(attributes)) size += byteLength(name) + "String".length + 1;
  return {
    index: 0,
    id: "m-0",
    body,
    attributes,
    sizeBytes: size,
    correlationId: "c",
    groupId: undefined,
    deduplicationId: undefined,
  };
}

const config = { maxMessageBytes: 4096, maxAttributes: 10, concurrency: 1 };

describe("offloadAll", () => {
  it("rejects a body that must be offloaded when the attribute count has no room, before uploading anything", async () => {
    const store = memoryStore();
    const payloads = createLargePayloads(store);
    const promise = offloadAll([entryWith(10, "x".repeat(10_000))], { ...config, payloads }, undefined);
    await expect(promise).rejects.toBeInstanceOf(InvalidMessageError);
    await expect(promise).rejects.toThrow(PAYLOAD_ATTRIBUTES.size);
    expect(store.objects.size).toBe(0);
  });

  it("deletes the object when a body offloaded by the threshold then fails the attribute count", async () => {
    const store = memoryStore();
    const payloads = createLargePayloads(store, { thresholdBytes: "always" });
    const promise = offloadAll([entryWith(10, "small")], { ...config, payloads }, undefined);
    await expect(promise).rejects.toBeInstanceOf(InvalidMessageError);
    expect(store.objects.size).toBe(0);
  });

  it("still offloads when there is room", async () => {
    const store = memoryStore();
    const payloads = createLargePayloads(store);
    const [out] = await offloadAll([entryWith(9, "x".repeat(10_000))], { ...config, payloads }, undefined);
    expect(Object.keys(out!.attributes)).toContain(PAYLOAD_ATTRIBUTES.size);
    expect(store.objects.size).toBe(1);
  });
});
