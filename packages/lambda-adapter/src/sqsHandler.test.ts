import {
  type ConsumerMessage,
  InvalidOptionError,
  isRetryable,
  json,
  type MessageHandler,
  PermanentError,
  type StandardSchemaV1,
  snsEnvelope,
  TransientError,
  text,
  withSchema,
} from "@resilient-jobs/core";
import type { SQSHandler } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deadLetterTarget } from "./deadLetter.js";
import type { SqsRecord } from "./events.js";
import {
  documentedSnsEnvelope,
  documentedSqsEvent,
  jsonEvent,
  lambdaContext,
  sqsRecord,
} from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import { orderSchema, reportedIds, silent } from "./fixtures/handlerHelpers.js";
import type { LambdaHandlerContext } from "./handlerTypes.js";
import { snsHandler } from "./snsHandler.js";
import { sqsHandler } from "./sqsHandler.js";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("sqsHandler on the documented SQS event", () => {
  it("hands each record to the handler as the consumer would, and reports nothing when all succeed", async () => {
    const seen: Array<ConsumerMessage<unknown>> = [];
    const handler = sqsHandler(
      async (message) => {
        seen.push(message);
      },
      { ...silent, decode: text },
    );

    const response = await handler(documentedSqsEvent(), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen.map((m) => m.id)).toEqual([
      "059f36b4-87a3-44ab-83d2-661975830a7d",
      "2e1424d4-f796-459a-8184-9c92662be6da",
    ]);
    const [first] = seen;
    expect(first).toMatchObject({
      body: "Test message.",
      attributes: { myAttribute: "myValue" },
      receiveCount: 1,
      sentAt: 1545082649183,
      groupId: undefined,
      sns: undefined,
    });
    expect(first?.raw).toMatchObject({
      id: "059f36b4-87a3-44ab-83d2-661975830a7d",
      body: "Test message.",
      receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
    });
  });

  it("reports a record whose body is not JSON, without calling the handler", async () => {
    const handle = vi.fn(async () => undefined);
    const handler = sqsHandler(handle, silent);

    const response = await handler(documentedSqsEvent(), lambdaContext());

    expect(reportedIds(response)).toEqual([
      "059f36b4-87a3-44ab-83d2-661975830a7d",
      "2e1424d4-f796-459a-8184-9c92662be6da",
    ]);
    expect(handle).not.toHaveBeenCalled();
  });
});

describe("sqsHandler partial batch responses", () => {
  it("reports only the failed records, in record order, whatever order they finish in", async () => {
    const handler = sqsHandler<{ n: number }>(async (message) => {
      await new Promise((resolve) => setTimeout(resolve, 10 - message.body.n));
      if (message.body.n % 3 === 0) throw new Error(`record ${message.body.n} failed`);
    }, silent);

    const response = await handler(jsonEvent(8), lambdaContext());

    expect(reportedIds(response)).toEqual(["m-0", "m-3", "m-6"]);
  });

  it("runs at most `concurrency` handlers at once", async () => {
    let running = 0;
    let most = 0;
    const handler = sqsHandler(
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      },
      { ...silent, concurrency: 3 },
    );

    await handler(jsonEvent(10), lambdaContext());

    expect(most).toBe(3);
  });

  it("handles records one by one, in order, with concurrency 1", async () => {
    const order: string[] = [];
    const handler = sqsHandler(
      async (message) => {
        order.push(`start ${message.id}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        order.push(`end ${message.id}`);
      },
      { ...silent, concurrency: 1 },
    );

    await handler(jsonEvent(3), lambdaContext());

    expect(order).toEqual(["start m-0", "end m-0", "start m-1", "end m-1", "start m-2", "end m-2"]);
  });

  it("passes the receive count as `attempt`, the Lambda context, and an AbortSignal", async () => {
    const contexts: LambdaHandlerContext[] = [];
    const handler = sqsHandler(async (_message, context) => {
      contexts.push(context);
    }, silent);
    const context = lambdaContext();

    await handler({ Records: [sqsRecord("a", "{}", { receiveCount: 3 })] }, context);

    expect(contexts[0]?.attempt).toBe(3);
    expect(contexts[0]?.lambdaContext).toBe(context);
    expect(contexts[0]?.signal.aborted).toBe(false);
  });

  it("reads a body as JSON by default, an SNS envelope included: unwrapping one is asked for", async () => {
    const seen: Array<ConsumerMessage<unknown>> = [];
    const handler = sqsHandler(async (message) => {
      seen.push(message);
    }, silent);
    const body = documentedSnsEnvelope(JSON.stringify({ orderId: "o-1" }));

    await handler({ Records: [sqsRecord("a", body)] }, lambdaContext());

    expect(seen[0]?.body).toMatchObject({ Type: "Notification", Message: JSON.stringify({ orderId: "o-1" }) });
    expect(seen[0]?.sns).toBeUndefined();
  });

  it("unwraps an SNS notification delivered through SQS with `decode: snsEnvelope(json)`", async () => {
    const seen: Array<ConsumerMessage<unknown>> = [];
    const handler = sqsHandler(
      async (message) => {
        seen.push(message);
      },
      { ...silent, decode: snsEnvelope(json) },
    );
    const body = documentedSnsEnvelope(JSON.stringify({ orderId: "o-1" }));

    const response = await handler({ Records: [sqsRecord("a", body)] }, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(seen[0]?.body).toEqual({ orderId: "o-1" });
    expect(seen[0]?.sns).toMatchObject({
      topicArn: "arn:aws:sns:us-west-2:123456789012:MyTopic",
      messageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
      subject: "My First Message",
      attributes: { source: "checkout" },
    });
  });

  it("rejects an event without Records, so Lambda retries the whole batch", async () => {
    const handler = sqsHandler(async () => undefined, silent);

    await expect(handler({} as never, lambdaContext())).rejects.toBeInstanceOf(InvalidOptionError);
  });
});

describe("sqsHandler dead-lettering", () => {
  it("sends a record failing schema validation to the dead-letter target, whatever its classifier says, and does not report it", async () => {
    const send = vi.fn(async (_record: SqsRecord, _reason: { code: string; message: string }) => undefined);
    const handle = vi.fn(async () => undefined);
    // A classifier that calls everything retryable: bad input is permanent anyway, the handler never saw it.
    const handler = sqsHandler(handle, {
      ...silent,
      decode: withSchema(orderSchema),
      deadLetter: deadLetterTarget({ send, retryable: () => true }),
    });
    const event = { Records: [sqsRecord("good", '{"orderId":"o-1"}'), sqsRecord("bad", '{"sku":"x"}')] };

    const response = await handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(handle).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]?.[0]).toBe(event.Records[1]);
    expect(send.mock.calls[0]?.[1]).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(send.mock.calls[0]?.[1].message).toContain("orderId is required");
  });

  it("validates with an asynchronous schema too", async () => {
    const asyncSchema: StandardSchemaV1<unknown, { orderId: string }> = {
      "~standard": { ...orderSchema["~standard"], validate: async (value) => orderSchema["~standard"].validate(value) },
    };
    const bodies: unknown[] = [];
    const handler = sqsHandler(
      async (message) => {
        bodies.push(message.body);
      },
      { ...silent, decode: withSchema(asyncSchema) },
    );

    const response = await handler(
      { Records: [sqsRecord("good", '{"orderId":"o-1"}'), sqsRecord("bad", "{}")] },
      lambdaContext(),
    );

    expect(bodies).toEqual([{ orderId: "o-1" }]);
    expect(reportedIds(response)).toEqual(["bad"]);
  });

  it("reports a record that fails decoding when no deadLetter is set, leaving it to the redrive policy", async () => {
    const handler = sqsHandler(async () => undefined, { ...silent, decode: withSchema(orderSchema) });

    const response = await handler({ Records: [sqsRecord("bad", "not json")] }, lambdaContext());

    expect(reportedIds(response)).toEqual(["bad"]);
  });

  it("dead-letters a handler's permanent failure but reports a transient one (isRetryable as the classifier)", async () => {
    const send = vi.fn(async () => undefined);
    const handler = sqsHandler(
      async (message) => {
        if (message.id === "permanent") throw new PermanentError("card declined");
        throw new TransientError("payment service unavailable");
      },
      { ...silent, deadLetter: deadLetterTarget({ send, retryable: isRetryable }) },
    );

    const response = await handler(
      { Records: [sqsRecord("permanent", "{}"), sqsRecord("transient", "{}")] },
      lambdaContext(),
    );

    expect(reportedIds(response)).toEqual(["transient"]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ messageId: "permanent" }), {
      code: "PERMANENT",
      message: "PermanentError: card declined",
    });
  });

  it("lets the target's own classifier decide which handler errors are permanent", async () => {
    const send = vi.fn(async () => undefined);
    const retryable = vi.fn((error: unknown) => !(error instanceof Error && error.message === "card declined"));
    const handler = sqsHandler(
      async (message) => {
        // Plain errors: isRetryable would call both retryable; this classifier calls one of them permanent.
        throw new Error(message.id === "declined" ? "card declined" : "socket hang up");
      },
      { ...silent, deadLetter: deadLetterTarget({ send, retryable }) },
    );

    const response = await handler(
      { Records: [sqsRecord("declined", "{}"), sqsRecord("hang-up", "{}")] },
      lambdaContext(),
    );

    expect(reportedIds(response)).toEqual(["hang-up"]);
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ messageId: "declined" }), expect.anything());
    expect(retryable).toHaveBeenCalledTimes(2);
  });

  it("reports the record and logs an error when the deadLetter hook fails", async () => {
    const { logger, lines } = captureLogs();
    const handler = sqsHandler(async () => undefined, {
      logger,
      deadLetter: deadLetterTarget({
        send: async () => {
          throw new Error("DLQ unreachable");
        },
        retryable: isRetryable,
      }),
    });

    const response = await handler({ Records: [sqsRecord("bad", "{oops")] }, lambdaContext());

    expect(reportedIds(response)).toEqual(["bad"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        messageId: "bad",
        error: expect.objectContaining({ message: "DLQ unreachable" }),
      }),
    );
  });
});

describe("sqsHandler options", () => {
  it.each<[object, string]>([
    [{ concurrency: 0 }, "concurrency"],
    [{ fifo: "yes" }, "fifo"],
    [{ abortBeforeTimeoutMs: 2_000, stopStartingBeforeTimeoutMs: 1_000 }, "abortBeforeTimeoutMs"],
    [{ stopStartingBeforeTimeoutMs: -1 }, "stopStartingBeforeTimeoutMs"],
    [{ deadLetter: { queueUrl: "https://sqs.us-east-1.amazonaws.com/1/dlq" } }, "deadLetter"],
    [{ deadLetter: async () => undefined }, "deadLetter"],
    [{ deadLetter: { send: async () => undefined } }, "deadLetter"],
    // A hand-made target is wrapped by deadLetterTarget, which brings the code that routes failures to it.
    [{ deadLetter: { send: async () => undefined, retryable: () => true } }, "deadLetter"],
    // The consumer's top-level option: here it is the dead-letter target's, so it is refused, not ignored.
    [{ retryable: () => true }, "retryable"],
    [{ decode: "json" }, "decode"],
    [{ decode: null }, "decode"],
  ])("rejects %j at creation, naming %s", (options, option) => {
    expect(() => sqsHandler(async () => undefined, options as never)).toThrow(
      expect.objectContaining({ name: "InvalidOptionError", option }),
    );
  });

  // The decode options became decoder values (`decode`): each old option is refused, naming what replaces it.
  it.each([
    [{ format: "text" }, "format", "parseWith(parse)"],
    [{ unwrapSns: true }, "unwrapSns", "snsEnvelope(json)"],
    [{ unwrapSns: false }, "unwrapSns", "snsEnvelope(json)"],
    [{ schema: orderSchema }, "schema", "withSchema(schema"],
  ])("refuses the removed option %j at creation, naming %s and its replacement", (options, option, replacement) => {
    const error = (() => {
      try {
        sqsHandler(async () => undefined, options as never);
      } catch (thrown) {
        return thrown as InvalidOptionError;
      }
      throw new Error("expected sqsHandler to throw");
    })();

    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`Expected \`${option}\` to be left out: set \`decode\` to json, text,`);
    expect(error.message).toContain(replacement);
  });

  it("refuses the removed decode options in snsHandler too", () => {
    expect(() => snsHandler(async () => undefined, { schema: orderSchema } as never)).toThrow(
      expect.objectContaining({ name: "InvalidOptionError", option: "schema" }),
    );
  });

  it("accepts the consumer's MessageHandler and fits @types/aws-lambda's SQSHandler", async () => {
    const portable: MessageHandler<{ n: number }> = async (message, { log }) => {
      log.debug("n", { n: message.body.n });
    };

    const lambda: SQSHandler = sqsHandler(portable, silent);

    expect(typeof lambda).toBe("function");
  });
});
