/**
 * Issue 12, item 5: an invocation the adapter cannot answer truthfully fails as a whole, with a typed error that
 * says what is wrong, instead of resolving a response the trigger would misread (or a TypeError).
 */
import { InvalidOptionError, PermanentError } from "@resilient-jobs/core";
import { describe, expect, it, vi } from "vitest";
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
    expect(err).toMatchObject({ option: "event.Records[1]" });
    expect((err as Error).message).toContain("to be a record with an id");
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

    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err).toMatchObject({ code: "INVALID_OPTION", option: "event.Records[0].eventSource" });
    expect((err as Error).message).toBe(
      'Expected `event.Records[0].eventSource` to be "aws:sqs" for sqsHandler, got "aws:sns"',
    );
    expect(work).not.toHaveBeenCalled();
  });

  it("fails an snsHandler given an SQS event, saying to use sqsHandler", async () => {
    const work = vi.fn(async () => undefined);
    const handler = snsHandler(work, silent);

    const err = await handler(documentedSqsEvent() as unknown as SnsEvent, lambdaContext()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as Error).message).toBe(
      'Expected `event.Records[0].eventSource` to be "aws:sns" for snsHandler, got "aws:sqs"',
    );
    expect(work).not.toHaveBeenCalled();
  });

  it("names a source it has no handler for", async () => {
    const event = { Records: [{ ...sqsRecord("m-1", "{}"), eventSource: "aws:kinesis" }] };
    const handler = sqsHandler(async () => undefined, silent);

    const err = await handler(event, lambdaContext()).catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      'Expected `event.Records[0].eventSource` to be "aws:sqs" for sqsHandler, got "aws:kinesis"',
    );
  });
});

describe("a missing or partial Lambda context", () => {
  const { getRemainingTimeInMillis: _omitted, ...withoutClock } = lambdaContext();
  it.each([
    ["no context", undefined],
    ["a context without getRemainingTimeInMillis", withoutClock],
  ])("rejects %s with an InvalidOptionError naming the context, running no record", async (_case, context) => {
    const work = vi.fn(async () => undefined);
    const handler = sqsHandler(work, silent);

    const err = await handler(documentedSqsEvent(), context as LambdaContext).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err).toMatchObject({ option: "context" });
    expect((err as Error).message).toContain("to be the Lambda context");
    expect(work).not.toHaveBeenCalled();
  });

  it("rejects an snsHandler call without a context the same way", async () => {
    const handler = snsHandler(async () => undefined, silent);

    const err = await handler(documentedSnsEvent(), undefined as unknown as LambdaContext).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: "InvalidOptionError", option: "context" });
  });
});
