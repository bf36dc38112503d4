import { silentLogger } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { ReceiptHandleExpiredError, SqsAdapterError } from "../errors.js";
import { type BatchCallResult, type BatchRetryContext, sendBatchWithRetry } from "./sendBatchWithRetry.js";

const context = (attempts = 3): BatchRetryContext => ({
  operation: "DeleteMessageBatch",
  queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
  attempts,
  delayMs: () => 0,
  logger: silentLogger,
});
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m${i}` }));

/** A fake batch call answering from a script, one entry per call; records what each call carried. */
function scripted(answers: Array<(pending: readonly { id: string }[]) => BatchCallResult | Error>) {
  const calls: string[][] = [];
  const send = async (pending: readonly { id: string }[]) => {
    calls.push(pending.map((p) => p.id));
    const answer = answers[calls.length - 1]?.(pending) ?? { Successful: pending.map((_, i) => ({ Id: String(i) })) };
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, send };
}
const sdkError = (name: string, status: number) =>
  Object.assign(new Error(name), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? "server" : "client",
  });

describe("sendBatchWithRetry", () => {
  it("re-sends only the entries that failed with a retryable error", async () => {
    const { calls, send } = scripted([
      () => ({
        Successful: [{ Id: "0" }, { Id: "2" }],
        Failed: [{ Id: "1", Code: "InternalError", SenderFault: false }],
      }),
    ]);

    const failures = await sendBatchWithRetry(items(3), send, context());

    expect(failures).toEqual([]);
    expect(calls).toEqual([["m0", "m1", "m2"], ["m1"]]);
  });

  it("reports an expired receipt handle at once, without re-sending it", async () => {
    const { calls, send } = scripted([
      () => ({ Successful: [{ Id: "0" }], Failed: [{ Id: "1", Code: "ReceiptHandleIsInvalid", SenderFault: true }] }),
    ]);

    const failures = await sendBatchWithRetry(items(2), send, context());

    expect(calls).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.item.id).toBe("m1");
    expect(failures[0]?.error).toBeInstanceOf(ReceiptHandleExpiredError);
  });

  it("reports entries still failing after the last attempt", async () => {
    const failAll = (pending: readonly { id: string }[]) => ({
      Failed: pending.map((_, i) => ({ Id: String(i), Code: "ServiceUnavailable", SenderFault: false })),
    });
    const { calls, send } = scripted([failAll, failAll, failAll]);

    const failures = await sendBatchWithRetry(items(2), send, context(3));

    expect(calls).toHaveLength(3);
    expect(failures.map((f) => f.item.id)).toEqual(["m0", "m1"]);
    expect(failures[0]?.error).toBeInstanceOf(SqsAdapterError);
  });

  it("retries a whole call that was throttled, and fails it at once on a non-retryable error", async () => {
    const throttled = scripted([() => sdkError("ThrottlingException", 400)]);
    expect(await sendBatchWithRetry(items(2), throttled.send, context())).toEqual([]);
    expect(throttled.calls).toHaveLength(2);

    const denied = scripted([() => sdkError("AccessDenied", 403)]);
    const failures = await sendBatchWithRetry(items(2), denied.send, context());
    expect(denied.calls).toHaveLength(1);
    expect(failures).toHaveLength(2);
    expect((failures[0]!.error as SqsAdapterError).aws?.name).toBe("AccessDenied");
  });

  it("never counts an entry the response did not mention as done", async () => {
    const { calls, send } = scripted([() => ({ Successful: [{ Id: "0" }] })]);

    const failures = await sendBatchWithRetry(items(2), send, context());

    expect(failures).toEqual([]);
    expect(calls).toEqual([["m0", "m1"], ["m1"]]);
  });
});
