/**
 * `payloads` in both handlers, on a store in a Map (the S3 store runs against fauxqs in
 * local/largePayloads.int.test.ts): an SNS trigger's pointer, an SQS record whose compression attribute is in
 * its `messageAttributes`, and a missing object reported as a permanent failure.
 */
import { gzipSync } from "node:zlib";
import {
  createLargePayloads,
  formatPayloadPointer,
  isRetryable,
  PayloadNotFoundError,
  type PayloadStore,
  PayloadStoreError,
} from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { deadLetterTarget } from "./deadLetter.js";
import { documentedSnsEvent, lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import { snsHandler } from "./snsHandler.js";
import { sqsHandler } from "./sqsHandler.js";

const ORDER = { orderId: "o-1" };
const objects = new Map<string, Uint8Array>([["orders-payloads/k-1", Buffer.from(JSON.stringify(ORDER))]]);
const store: PayloadStore = {
  put: async () => ({ bucket: "orders-payloads", key: "k-new" }),
  async get(pointer) {
    const bytes = objects.get(`${pointer.bucket}/${pointer.key}`);
    if (bytes === undefined) throw new PayloadNotFoundError(pointer, "NoSuchKey");
    return bytes;
  },
  delete: async () => undefined,
};
const payloads = createLargePayloads(store);
const pointer = (key: string) => formatPayloadPointer({ bucket: "orders-payloads", key });

describe("Lambda handlers with payloads", () => {
  it("snsHandler resolves an SNS extended client's pointer before the handler", async () => {
    const event = documentedSnsEvent();
    event.Records[0]!.Sns.Message = pointer("k-1");
    const seen: unknown[] = [];

    await snsHandler(async (message) => void seen.push(message.body), { payloads, logger: captureLogs().logger })(
      event,
      lambdaContext(),
    );

    expect(seen).toEqual([ORDER]);
  });

  it("sqsHandler reads the compression attribute from the record's messageAttributes", async () => {
    const record = sqsRecord("m-1", gzipSync(JSON.stringify(ORDER)).toString("base64"));
    record.messageAttributes = { "resilient-jobs.encoding": { stringValue: "gzip", dataType: "String" } } as never;
    const seen: unknown[] = [];

    const response = await sqsHandler(async (message) => void seen.push(message.body), {
      payloads,
      logger: captureLogs().logger,
    })({ Records: [record] }, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([ORDER]);
  });

  it("sqsHandler reports a record whose object is missing, without running the handler", async () => {
    const seen: unknown[] = [];

    const response = await sqsHandler(async (message) => void seen.push(message.body), {
      payloads,
      logger: captureLogs().logger,
    })({ Records: [sqsRecord("m-2", pointer("gone"))] }, lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-2" }]);
    expect(seen).toEqual([]);
  });

  it("sqsHandler reports, and never dead-letters, a record whose store is throttled (transient)", async () => {
    const throttled = createLargePayloads({
      ...store,
      get: async (at) => {
        throw new PayloadStoreError("get", at, "SlowDown");
      },
    });
    const deadLettered: string[] = [];

    const response = await sqsHandler(async () => {}, {
      payloads: throttled,
      logger: captureLogs().logger,
      deadLetter: deadLetterTarget({
        send: async (record) => void deadLettered.push(record.messageId),
        retryable: isRetryable,
      }),
    })({ Records: [sqsRecord("m-3", pointer("k-1"))] }, lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-3" }]);
    expect(deadLettered).toEqual([]);
  });

  it("refuses at creation a payloads value that is not createLargePayloads' (it would leave pointers unresolved)", () => {
    expect(() => sqsHandler(async () => {}, { payloads: store as never })).toThrow(TypeError);
  });
});
