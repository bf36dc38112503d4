import { describe, expect, it } from "vitest";
import {
  CircuitOpenError,
  DecodeError,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  InvalidOptionError,
  PermanentError,
  TimeoutError,
  TransientError,
  ValidationError,
} from "../errors.js";
import { AbortedError } from "./abort.js";
import { classifyError, isRetryable } from "./classify.js";
import { RetriesExhaustedError } from "./retry.js";

/** Shapes an error the way Node's net/dns modules do. */
function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });
}

/** Shapes an error the way AWS SDK v3 service exceptions look (name, $fault, $metadata, maybe $retryable). */
function awsError(name: string, httpStatusCode: number, extra: Record<string, unknown> = {}): Error {
  const error = new Error(`${name} from the service`);
  error.name = name;
  return Object.assign(error, {
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode },
    ...extra,
  });
}

function httpError(status: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status });
}

describe("classifyError / isRetryable", () => {
  it.each([
    ["ECONNRESET", nodeError("ECONNRESET")],
    ["ETIMEDOUT", nodeError("ETIMEDOUT")],
    ["ECONNREFUSED", nodeError("ECONNREFUSED")],
    ["EPIPE", nodeError("EPIPE")],
    ["EAI_AGAIN", nodeError("EAI_AGAIN")],
    ["undici socket error", nodeError("UND_ERR_SOCKET")],
    ["fetch failed with a socket error as cause", new TypeError("fetch failed", { cause: nodeError("ECONNRESET") })],
    ["TimeoutError", new TimeoutError(100)],
    ["AbortSignal.timeout's DOMException", new DOMException("The operation timed out.", "TimeoutError")],
    ["TransientError", new TransientError("dependency hiccup")],
    ["a TransientError subclass", new IdempotencyInProgressError("order-1")],
    ["CircuitOpenError (retry later)", new CircuitOpenError(Date.now() + 1000, "payments")],
    ["HTTP 429", httpError(429)],
    ["HTTP 408", httpError(408)],
    ["HTTP 500", httpError(500)],
    ["HTTP 503 (statusCode)", Object.assign(new Error("unavailable"), { statusCode: 503 })],
    ["HTTP 502 (axios-style response.status)", Object.assign(new Error("bad gateway"), { response: { status: 502 } })],
    ["AWS ThrottlingException (a 400)", awsError("ThrottlingException", 400)],
    ["AWS RequestThrottled", awsError("RequestThrottled", 403)],
    ["AWS TooManyRequestsException", awsError("TooManyRequestsException", 429)],
    ["AWS ProvisionedThroughputExceededException", awsError("ProvisionedThroughputExceededException", 400)],
    ["AWS RequestLimitExceeded", awsError("RequestLimitExceeded", 400)],
    ["AWS SlowDown", awsError("SlowDown", 503)],
    ["AWS KMSThrottlingException (by its name)", awsError("KMSThrottlingException", 400)],
    ["AWS error with $retryable", awsError("SomethingOdd", 400, { $retryable: { throttling: false } })],
    ["AWS 5xx", awsError("InternalError", 500)],
    ["a throttling error code", Object.assign(new Error("slow down"), { code: "Throttling" })],
    ["RetriesExhaustedError whose last error was transient", new RetriesExhaustedError([nodeError("ECONNRESET")])],
  ])("retries %s (transient)", (_label, error) => {
    expect(classifyError(error)).toBe("transient");
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ["PermanentError", new PermanentError("card declined")],
    ["DecodeError", new DecodeError("not JSON")],
    ["ValidationError", new ValidationError([{ message: "required", path: ["orderId"] }])],
    ["IdempotencyPayloadMismatchError", new IdempotencyPayloadMismatchError("order-1")],
    ["InvalidOptionError", new InvalidOptionError("attempts", "an integer >= 1", 0)],
    ["HTTP 400", httpError(400)],
    ["HTTP 404", httpError(404)],
    ["HTTP 501", httpError(501)],
    ["AWS ValidationException", awsError("ValidationException", 400)],
    ["AWS ConditionalCheckFailedException", awsError("ConditionalCheckFailedException", 400)],
    ["AWS AccessDeniedException", awsError("AccessDeniedException", 403)],
    ["a zod-style error", Object.assign(new Error("invalid"), { name: "ZodError" })],
    [
      "a PermanentError wrapping a transient cause",
      new PermanentError("bad input", { cause: nodeError("ECONNRESET") }),
    ],
    [
      "RetriesExhaustedError whose last error was permanent",
      new RetriesExhaustedError([httpError(500), httpError(400)]),
    ],
    ["a plain Error caused by a permanent error", new Error("handler failed", { cause: httpError(422) })],
  ])("never retries %s (permanent)", (_label, error) => {
    expect(classifyError(error)).toBe("permanent");
    expect(isRetryable(error)).toBe(false);
  });

  it.each([
    ["AbortedError", new AbortedError("shutting down")],
    ["a DOMException AbortError", new DOMException("This operation was aborted", "AbortError")],
  ])("classifies %s as aborted, which stays retryable later", (_label, error) => {
    expect(classifyError(error)).toBe("aborted");
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ["a plain Error", new Error("something broke")],
    ["a TypeError without a cause", new TypeError("x is not a function")],
    ["a thrown string", "boom"],
    ["undefined", undefined],
    ["null", null],
    ["an object with a non-HTTP status", Object.assign(new Error("x"), { status: "failed" })],
  ])("treats %s as unknown, and retries it (the queue's maxReceiveCount bounds it)", (_label, error) => {
    expect(classifyError(error)).toBe("unknown");
    expect(isRetryable(error)).toBe(true);
  });

  it("stops following a cause chain that loops", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    Object.assign(a, { cause: b });
    expect(classifyError(a)).toBe("unknown");
  });
});
