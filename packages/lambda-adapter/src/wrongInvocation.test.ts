/**
 * Issue 12, item 5: an invocation the adapter cannot answer truthfully fails as a whole, with a typed error that
 * says what is wrong, instead of resolving a response the trigger would misread (or a TypeError).
 */
import { InvalidOptionError, PermanentError } from "@resilient-jobs/core";
import { describe, expect, it, vi } from "vitest";
import { WrongEventSourceError } from "./errors.js";
import type { LambdaContext, SnsEvent, SqsEvent } from "./events.js";
import { documentedSnsEvent, documentedSqsEvent, lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { silent } from "./fixtures/handlerHelpers.js";
import { snsHandler } from "./snsHandler.js";
import { sqsHandler } from "./sqsHandler.js";

const failing = async () => {
  throw new PermanentError("declined");
};

describe("a failed record with no usable id", () => {
  it.each([
    ["missing", undefined],
    ["empty", ""],
  ])("fails the whole batch when a failed record's messageId is %s, naming the record", async (_case, messageId) => {
    const event: SqsEvent = { Records: [sqsRecord("m-1", "{}"), sqsRecord("m-2", "{}")] };
    (event.Records[1] as { messageId: unknown }).messageId = messageId;
    const handler = sqsHandler(failing, silent);

    const err = await handler(event, lambdaContext()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err).toMatchObject({ option: "event.Records[1].messageId" });
    expect((err as Error).message).toContain("to be a non-empty string");
  });

  it("answers as usual when the record without an id succeeded (nothing to report for it)", async () => {
    const event: SqsEvent = { Records: [sqsRecord("m-1", "{}")] };
    (event.Records[0] as { messageId: unknown }).messageId = undefined;
    const handler = sqsHandler(async () => undefined, silent);

    await expect(handler(event, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
  });
});

describe("an event from another trigger", () => {
  it("fails an sqsHandler given an SNS event, before any record runs, saying to use snsHandler", async () => {
    const work = vi.fn(async () => undefined);
    const handler = sqsHandler(work, silent);

    const err = await handler(documentedSnsEvent() as unknown as SqsEvent, lambdaContext()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WrongEventSourceError);
    expect(err).toMatchObject({ code: "INVALID_OPTION", received: "aws:sns" });
    expect((err as Error).message).toBe("sqsHandler received an SNS event: use snsHandler");
    expect(work).not.toHaveBeenCalled();
  });

  it("fails an snsHandler given an SQS event, saying to use sqsHandler", async () => {
    const work = vi.fn(async () => undefined);
    const handler = snsHandler(work, silent);

    const err = await handler(documentedSqsEvent() as unknown as SnsEvent, lambdaContext()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WrongEventSourceError);
    expect((err as Error).message).toBe("snsHandler received an SQS event: use sqsHandler");
    expect(work).not.toHaveBeenCalled();
  });

  it("names a source it has no handler for", async () => {
    const event = { Records: [{ ...sqsRecord("m-1", "{}"), eventSource: "aws:kinesis" }] };
    const handler = sqsHandler(async () => undefined, silent);

    const err = await handler(event, lambdaContext()).catch((e: unknown) => e);

    expect((err as Error).message).toBe('sqsHandler received an event from "aws:kinesis"');
  });
});

describe("a missing or partial Lambda context", () => {
  const { getRemainingTimeInMillis: _omitted, ...withoutClock } = lambdaContext();
  it.each([
    ["no context", undefined, "context"],
    ["a context without getRemainingTimeInMillis", withoutClock, "context.getRemainingTimeInMillis"],
  ])(
    "rejects %s with an InvalidOptionError naming what is missing, running no record",
    async (_case, context, option) => {
      const work = vi.fn(async () => undefined);
      const handler = sqsHandler(work, silent);

      const err = await handler(documentedSqsEvent(), context as LambdaContext).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option });
      expect((err as Error).message).toContain("pass the Lambda context");
      expect(work).not.toHaveBeenCalled();
    },
  );

  it("rejects an snsHandler call without a context the same way", async () => {
    const handler = snsHandler(async () => undefined, silent);

    const err = await handler(documentedSnsEvent(), undefined as unknown as LambdaContext).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: "InvalidOptionError", option: "context" });
  });
});
