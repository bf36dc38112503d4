import { describe, expect, it } from "vitest";
import { classifyError } from "../resilience/classify.js";
import { isCompressionAvailable } from "./compression.js";
import { createLargePayloads } from "./largePayloads.js";
import type { PayloadStore } from "./PayloadStore.js";
import { PayloadNotFoundError } from "./payloadErrors.js";
import {
  formatPayloadPointer,
  PAYLOAD_ATTRIBUTES,
  type PayloadPointer,
  parsePayloadPointer,
} from "./payloadPointer.js";

/** A store in a Map, counting calls: the S3 one is tested against fauxqs' S3 in the sqs-adapter package. */
function memoryStore() {
  const objects = new Map<string, Uint8Array>();
  const calls = { put: 0, get: 0, delete: 0 };
  const id = (p: PayloadPointer) => `${p.bucket}/${p.key}`;
  const store: PayloadStore = {
    async put(bytes) {
      calls.put++;
      const pointer = { bucket: "payloads", key: `k${calls.put}` };
      objects.set(id(pointer), bytes);
      return pointer;
    },
    async get(pointer) {
      calls.get++;
      const bytes = objects.get(id(pointer));
      if (bytes === undefined) throw new PayloadNotFoundError(pointer, "NoSuchKey");
      return bytes;
    },
    async delete(pointer) {
      calls.delete++;
      objects.delete(id(pointer));
    },
  };
  return { store, objects, calls, id };
}

// Byte for byte what amazon-sqs-java-extended-client-lib 2.x (payloadoffloading-common's PayloadS3Pointer, Jackson)
// and amazon-sqs-python-extended-client write as the body of an offloaded message.
const JAVA_POINTER_BODY =
  '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"orders-payloads","s3Key":"0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21"}]';
const ORDER = { orderId: "o-1", lines: [{ sku: "A", quantity: 2 }] };

describe("the extended clients' pointer format", () => {
  it("writes exactly the body the Java and Python extended clients write, and reads it back", () => {
    const pointer = { bucket: "orders-payloads", key: "0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21" };

    expect(formatPayloadPointer(pointer)).toBe(JAVA_POINTER_BODY);
    expect(parsePayloadPointer(JAVA_POINTER_BODY)).toEqual(pointer);
  });

  it("does not take other JSON arrays or text for a pointer", () => {
    expect(parsePayloadPointer('["software.amazon.payloadoffloading.PayloadS3Pointer"]')).toBeUndefined();
    expect(parsePayloadPointer('["other",{"s3BucketName":"b","s3Key":"k"}]')).toBeUndefined();
    expect(parsePayloadPointer('{"orderId":"software.amazon.payloadoffloading.PayloadS3Pointer"}')).toBeUndefined();
  });
});

describe("createLargePayloads: decoding", () => {
  it("resolves a Java producer's message (ExtendedPayloadSize) before decoding and the schema", async () => {
    const { store, objects } = memoryStore();
    objects.set("orders-payloads/0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21", Buffer.from(JSON.stringify(ORDER)));
    const decode = createLargePayloads(store).decoder();

    const decoded = await decode(JAVA_POINTER_BODY, { attributes: { ExtendedPayloadSize: "49" } });

    expect(decoded).toEqual({ body: ORDER, sns: undefined });
  });

  it("resolves a version 1 producer's message (SQSLargePayloadSize) from a Lambda SQS record's attributes", async () => {
    const { store, objects } = memoryStore();
    objects.set("orders-payloads/0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21", Buffer.from(JSON.stringify(ORDER)));
    const decode = createLargePayloads(store).decoder();

    const decoded = await decode(JAVA_POINTER_BODY, {
      attributes: { ApproximateReceiveCount: "1" },
      messageAttributes: { SQSLargePayloadSize: { stringValue: "49" } },
    });

    expect(decoded.body).toEqual(ORDER);
  });

  it("resolves a pointer inside an SNS envelope (the SNS extended client), and the handler's sns.message is the payload", async () => {
    const { store, objects } = memoryStore();
    objects.set("orders-payloads/0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21", Buffer.from(JSON.stringify(ORDER)));
    const envelope = JSON.stringify({
      Type: "Notification",
      MessageId: "sns-1",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      Message: JAVA_POINTER_BODY,
      Timestamp: "2026-12-01T00:00:00.000Z",
      MessageAttributes: { ExtendedPayloadSize: { Type: "Number", Value: "49" } },
    });

    const decoded = await createLargePayloads(store).decoder()(envelope);

    expect(decoded.body).toEqual(ORDER);
    expect(decoded.sns?.message).toBe(JSON.stringify(ORDER));
    expect(decoded.sns?.messageId).toBe("sns-1");
  });

  it("decodes ordinary bodies synchronously, with no store call", () => {
    const { store, calls } = memoryStore();
    const decoded = createLargePayloads(store).decoder()('{"orderId":"o-1"}', { attributes: {} });

    expect(decoded).toEqual({ body: { orderId: "o-1" }, sns: undefined });
    expect(calls).toEqual({ put: 0, get: 0, delete: 0 });
  });

  it("fails a pointer to a missing object with a permanent PayloadNotFoundError naming bucket and key", async () => {
    const { store } = memoryStore();

    const error = await Promise.resolve(createLargePayloads(store).decoder()(JAVA_POINTER_BODY)).catch((e) => e);

    expect(error).toBeInstanceOf(PayloadNotFoundError);
    expect(error.code).toBe("PAYLOAD_NOT_FOUND");
    expect(error.message).toContain("s3://orders-payloads/0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21");
    expect(classifyError(error)).toBe("permanent");
  });
});

describe("createLargePayloads: offloading", () => {
  const big = JSON.stringify({ ...ORDER, note: "x".repeat(5000) });

  it("sends what fits as it is and offloads the rest with ExtendedPayloadSize, and the decoder gets it back", async () => {
    const { store, calls } = memoryStore();
    const payloads = createLargePayloads(store);

    const small = await payloads.offload('{"orderId":"o-1"}', { maxBodyBytes: 1000 });
    const large = await payloads.offload(big, { maxBodyBytes: 1000 });

    expect(small).toEqual({ body: '{"orderId":"o-1"}', attributes: {}, pointer: undefined });
    expect(parsePayloadPointer(large.body)).toEqual({ bucket: "payloads", key: "k1" });
    expect(large.attributes).toEqual({ [PAYLOAD_ATTRIBUTES.size]: Buffer.byteLength(big) });
    expect(calls.put).toBe(1);
    expect((await payloads.decoder()(large.body)).body).toEqual(JSON.parse(big));
  });

  it('offloads every body with thresholdBytes "always", and bodies over a lower threshold', async () => {
    const { store } = memoryStore();

    const always = await createLargePayloads(store, { thresholdBytes: "always" }).offload("{}", { maxBodyBytes: 1000 });
    const lower = await createLargePayloads(store, { thresholdBytes: 10 }).offload('{"a":"0123456789"}', {
      maxBodyBytes: 1000,
    });

    expect(always.pointer).toBeDefined();
    expect(lower.pointer).toBeDefined();
  });

  it.each(["gzip", "zstd"] as const)(
    "compresses with %s before the size check: inline when it then fits, marked by an attribute",
    async (algorithm) => {
      if (!isCompressionAvailable(algorithm)) return; // zstd: Node.js 22.15 and later
      const { store, calls } = memoryStore();
      const payloads = createLargePayloads(store, { compression: algorithm });

      const inline = await payloads.offload(big, { maxBodyBytes: 1000 });
      const decoded = await payloads.decoder()(inline.body, {
        attributes: { ...inline.attributes } as Record<string, string>,
      });

      expect(inline.attributes).toEqual({ [PAYLOAD_ATTRIBUTES.encoding]: algorithm });
      expect(inline.body.length).toBeLessThan(1000);
      expect(calls.put).toBe(0);
      expect(decoded.body).toEqual(JSON.parse(big));
    },
  );

  it("offloads a compressed body that still does not fit, and resolves it", async () => {
    const { store, objects } = memoryStore();
    const payloads = createLargePayloads(store, { compression: "gzip" });
    const random = JSON.stringify({
      data: Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)).toString("base64"),
    });

    const out = await payloads.offload(random, { maxBodyBytes: 1000 });
    const attributes = Object.fromEntries(Object.entries(out.attributes).map(([k, v]) => [k, String(v)]));

    expect(out.pointer).toBeDefined();
    expect(attributes[PAYLOAD_ATTRIBUTES.encoding]).toBe("gzip");
    // The stored object is gzip data (magic bytes 1f 8b), not the text.
    expect([...(objects.get("payloads/k1") ?? []).slice(0, 2)]).toEqual([0x1f, 0x8b]);
    expect((await payloads.decoder()(out.body, { attributes })).body).toEqual(JSON.parse(random));
  });

  it("leaves bodies readable by a reader without this library when compression is off", async () => {
    const { store } = memoryStore();
    const out = await createLargePayloads(store).offload(big, { maxBodyBytes: 100_000 });

    expect(out.body).toBe(big);
    expect(out.attributes).toEqual({});
  });

  it("release deletes the object of a pointer, raw or in an SNS envelope, and nothing for other bodies", async () => {
    const { store, calls } = memoryStore();
    const payloads = createLargePayloads(store);
    const { body } = await payloads.offload(big, { maxBodyBytes: 10 });

    await payloads.release({ body: '{"orderId":"o-1"}' });
    await payloads.release({ body });

    expect(calls.delete).toBe(1);
  });

  it("rejects bad options, naming them", () => {
    const { store } = memoryStore();
    expect(() => createLargePayloads(store, { thresholdBytes: -1 })).toThrow(/thresholdBytes/);
    expect(() => createLargePayloads(store, { compression: "brotli" as "gzip" })).toThrow(/compression/);
    expect(() => createLargePayloads({} as PayloadStore)).toThrow(/store/);
  });
});
