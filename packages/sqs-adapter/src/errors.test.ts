import { QueueDoesNotExist, ReceiptHandleIsInvalid, SQSServiceException } from "@aws-sdk/client-sqs";
import { ResilientJobsError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { normalizeAwsError, ReceiptHandleExpiredError, SqsAdapterError } from "./errors.js";

const meta = (httpStatusCode: number | undefined) => ({ httpStatusCode, requestId: "r-1", attempts: 1 });

function serviceError(name: string, httpStatusCode: number, extra: Record<string, unknown> = {}) {
  const err = new SQSServiceException({
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: meta(httpStatusCode),
    message: `${name} happened`,
  });
  return Object.assign(err, extra);
}

describe("normalizeAwsError", () => {
  it("maps the AWS JSON-protocol class and the fauxqs query code to the same name", () => {
    const fromAws = new QueueDoesNotExist({ message: "gone", $metadata: meta(400) });
    const fromFauxqs = serviceError("QueueDoesNotExist", 400, { Code: "AWS.SimpleQueueService.NonExistentQueue" });

    expect(normalizeAwsError(fromAws)).toMatchObject({ name: "QueueDoesNotExist", retryable: false, httpStatus: 400 });
    expect(normalizeAwsError(fromFauxqs)).toMatchObject({
      name: "QueueDoesNotExist",
      code: "NonExistentQueue",
      retryable: false,
    });
  });

  it("strips the AWS.SimpleQueueService. prefix from names the SDK did not model", () => {
    const err = serviceError("AWS.SimpleQueueService.InvalidParameterValue", 400, {
      Code: "AWS.SimpleQueueService.InvalidParameterValue",
    });

    expect(normalizeAwsError(err)).toEqual({
      name: "InvalidParameterValue",
      code: "InvalidParameterValue",
      httpStatus: 400,
      retryable: false,
      throttling: false,
    });
  });

  it("recognises an invalid receipt handle by class or by legacy code", () => {
    expect(normalizeAwsError(new ReceiptHandleIsInvalid({ message: "x", $metadata: meta(400) })).name).toBe(
      "ReceiptHandleIsInvalid",
    );
    expect(normalizeAwsError(serviceError("Error", 400, { Code: "InvalidReceiptHandle" })).name).toBe(
      "ReceiptHandleIsInvalid",
    );
  });

  it.each([
    ["ThrottlingException", 400],
    ["RequestThrottled", 400],
    ["AWS.SimpleQueueService.RequestThrottled", 400],
    ["SomethingNew", 429],
  ])("treats %s (HTTP %i) as retryable throttling", (name, status) => {
    expect(normalizeAwsError(serviceError(name, status))).toMatchObject({
      name: "Throttling",
      retryable: true,
      throttling: true,
    });
  });

  it("treats the SDK's own throttling flag as throttling whatever the name", () => {
    const err = serviceError("Whatever", 400, { $retryable: { throttling: true } });

    expect(normalizeAwsError(err)).toMatchObject({ name: "Throttling", throttling: true, retryable: true });
  });

  it.each([
    [500, "InternalError"],
    [502, "InternalError"],
    [503, "ServiceUnavailable"],
  ])("treats an unmodelled HTTP %i as retryable %s", (status, name) => {
    expect(normalizeAwsError(serviceError("UnknownError", status))).toMatchObject({
      name,
      retryable: true,
      throttling: false,
    });
  });

  it.each([
    ["AccessDenied", "AccessDenied"],
    ["AccessDeniedException", "AccessDenied"],
    ["KmsAccessDenied", "AccessDenied"],
    ["UnrecognizedClientException", "CredentialsError"],
    ["ExpiredToken", "CredentialsError"],
    ["SignatureDoesNotMatch", "CredentialsError"],
  ])("maps %s to non-retryable %s", (raw, name) => {
    expect(normalizeAwsError(serviceError(raw, 403))).toMatchObject({ name, retryable: false });
  });

  it("maps a credentials provider failure (no response) to CredentialsError", () => {
    const err = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });

    expect(normalizeAwsError(err)).toMatchObject({ name: "CredentialsError", httpStatus: undefined, retryable: false });
  });

  it("treats a socket error without a response as a retryable NetworkError", () => {
    const err = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

    expect(normalizeAwsError(err)).toMatchObject({ name: "NetworkError", code: "ECONNRESET", retryable: true });
  });

  it("reads failed batch entries: SenderFault false is retryable, an expired handle is not", () => {
    expect(normalizeAwsError({ Id: "0", Code: "InternalError", SenderFault: false })).toMatchObject({
      name: "InternalError",
      retryable: true,
    });
    expect(normalizeAwsError({ Id: "1", Code: "ServiceGlitch", SenderFault: false })).toMatchObject({
      retryable: true,
    });
    expect(
      normalizeAwsError({ Id: "2", Code: "AWS.SimpleQueueService.ReceiptHandleIsInvalid", SenderFault: true }),
    ).toMatchObject({ name: "ReceiptHandleIsInvalid", retryable: false });
  });

  it("never throws on values that are not errors", () => {
    expect(normalizeAwsError(undefined)).toMatchObject({ name: "Unknown", retryable: false });
    expect(normalizeAwsError("boom")).toMatchObject({ name: "Unknown", retryable: false });
  });
});

describe("SqsAdapterError", () => {
  it("is a ResilientJobsError with a stable code and the normalised AWS cause", () => {
    const cause = serviceError("AccessDenied", 403);

    const err = new SqsAdapterError("cannot receive", { cause, operation: "ReceiveMessage", target: "q" });

    expect(err).toBeInstanceOf(ResilientJobsError);
    expect(err).toMatchObject({ name: "SqsAdapterError", code: "QUEUE", operation: "ReceiveMessage", target: "q" });
    expect(err.aws?.name).toBe("AccessDenied");
    expect(err.cause).toBe(cause);
  });

  it("leaves aws undefined when the cause is not an AWS SDK error", () => {
    expect(new SqsAdapterError("x", { cause: new Error("y") }).aws).toBeUndefined();
  });

  it("names the message whose receipt handle expired", () => {
    const err = new ReceiptHandleExpiredError("m-1", { operation: "DeleteMessageBatch" });

    expect(err).toBeInstanceOf(SqsAdapterError);
    expect(err.name).toBe("ReceiptHandleExpiredError");
    expect(err.message).toContain("m-1");
  });
});
