import { type ConsumerMessage, isRetryable, PermanentError, TransientError, text } from "@resilient-jobs/core";
import type { SNSHandler } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deadLetterTarget } from "./deadLetter.js";
import { SnsNotificationFailedError } from "./errors.js";
import type { SnsEvent, SnsEventRecord } from "./events.js";
import { documentedSnsEvent, lambdaContext } from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import { snsHandler } from "./snsHandler.js";

const silent = { logger: captureLogs().logger };

/** The documented event with a JSON message. */
function jsonSnsEvent(message: unknown): SnsEvent {
  const event = documentedSnsEvent();
  event.Records[0]!.Sns.Message = typeof message === "string" ? message : JSON.stringify(message);
  return event;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("snsHandler", () => {
  it("hands the documented notification to the handler with the SNS message id, attributes and publish time", async () => {
    const seen: Array<ConsumerMessage<unknown>> = [];
    const handler = snsHandler(
      async (message) => {
        seen.push(message);
      },
      { ...silent, decode: text },
    );

    await handler(documentedSnsEvent(), lambdaContext());

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      id: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
      body: "Hello from SNS!",
      attributes: { Test: "TestString", TestBinary: "TestBinary" },
      sentAt: Date.parse("2019-01-02T12:45:07.000Z"),
      receiveCount: 1,
      groupId: undefined,
      sns: {
        topicArn: "arn:aws:sns:us-east-1:123456789012:sns-lambda",
        messageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        subject: "TestInvoke",
        timestamp: "2019-01-02T12:45:07.000Z",
      },
    });
  });

  it("decodes a JSON message by default", async () => {
    const bodies: unknown[] = [];
    const handler = snsHandler(async (message) => {
      bodies.push(message.body);
    }, silent);

    await handler(jsonSnsEvent({ orderId: "o-1" }), lambdaContext());

    expect(bodies).toEqual([{ orderId: "o-1" }]);
  });

  it("throws when the handler fails, so Lambda retries the event, naming the SNS message id", async () => {
    const failure = new TransientError("payment service unavailable");
    const handler = snsHandler(async () => {
      throw failure;
    }, silent);

    const invocation = handler(jsonSnsEvent({}), lambdaContext());

    await expect(invocation).rejects.toBeInstanceOf(SnsNotificationFailedError);
    const error = (await invocation.catch((e: unknown) => e)) as SnsNotificationFailedError;
    expect(error.message).toContain("95df01b4-ee98-5cb9-9903-4c221d41eb5e");
    expect(error.cause).toBe(failure);
    expect(error.failures).toEqual([{ messageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e", error: failure }]);
  });

  it("throws for a message that is not JSON when no deadLetter is set", async () => {
    const handle = vi.fn(async () => undefined);
    const handler = snsHandler(handle, silent);

    await expect(handler(documentedSnsEvent(), lambdaContext())).rejects.toMatchObject({
      cause: expect.objectContaining({ code: "DECODE_FAILED" }),
    });
    expect(handle).not.toHaveBeenCalled();
  });

  it("sends a permanent failure to deadLetter and succeeds, so Lambda does not retry input that cannot succeed", async () => {
    const send = vi.fn(async (_record: SnsEventRecord, _reason: { code: string }) => undefined);
    const handler = snsHandler(
      async () => {
        throw new PermanentError("order for an unknown product");
      },
      { ...silent, deadLetter: deadLetterTarget({ send, retryable: isRetryable }) },
    );
    const event = jsonSnsEvent({ sku: "nope" });

    await expect(handler(event, lambdaContext())).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledWith(event.Records[0], expect.objectContaining({ code: "PERMANENT" }));
  });

  it("still throws a transient failure when deadLetter is set", async () => {
    const send = vi.fn(async () => undefined);
    const handler = snsHandler(
      async () => {
        throw new Error("socket hang up");
      },
      { ...silent, deadLetter: deadLetterTarget({ send, retryable: isRetryable }) },
    );

    await expect(handler(jsonSnsEvent({}), lambdaContext())).rejects.toBeInstanceOf(SnsNotificationFailedError);
    expect(send).not.toHaveBeenCalled();
  });

  it("throws before the timeout when the handler outlives the abort point", async () => {
    vi.useFakeTimers();
    const handler = snsHandler(async () => new Promise<void>(() => undefined), {
      ...silent,
      abortBeforeTimeoutMs: 200,
    });

    const invocation = handler(jsonSnsEvent({}), lambdaContext(1_000)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(800);

    expect(await invocation).toBeInstanceOf(SnsNotificationFailedError);
  });

  it("logs with the request id, the cold-start flag and the SNS message id", async () => {
    const { logger, lines } = captureLogs();
    const handler = snsHandler(
      async () => {
        throw new Error("boom");
      },
      { logger },
    );

    await handler(jsonSnsEvent({}), lambdaContext(30_000, "request-1")).catch(() => undefined);
    await handler(jsonSnsEvent({}), lambdaContext(30_000, "request-2")).catch(() => undefined);

    const failures = lines.filter((line) => line.level === "warn");
    expect(
      failures.map((line) => [
        line.awsRequestId,
        line.coldStart,
        (line.failed as Array<{ messageId: string }>)[0]?.messageId,
      ]),
    ).toEqual([
      ["request-1", true, "95df01b4-ee98-5cb9-9903-4c221d41eb5e"],
      ["request-2", false, "95df01b4-ee98-5cb9-9903-4c221d41eb5e"],
    ]);
  });

  it("rejects unwrapSns, which has no meaning for SNS events", () => {
    expect(() => snsHandler(async () => undefined, { unwrapSns: true } as never)).toThrow(
      expect.objectContaining({ option: "unwrapSns" }),
    );
  });

  it("fits @types/aws-lambda's SNSHandler", () => {
    const lambda: SNSHandler = snsHandler(async () => undefined, silent);

    expect(typeof lambda).toBe("function");
  });
});
