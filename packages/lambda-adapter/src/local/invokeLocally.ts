/**
 * One local invocation, judged the way Lambda's SQS event source mapping judges it: what the function
 * returned (or threw, or whether it ran out of time) decides which records are deleted.
 */
import type { SqsEvent } from "../events.js";
import type { LocalLambdaContext } from "./localContext.js";
import type { LocalSqsFunction } from "./runLocallyOptions.js";

/** How an invocation ended. */
export type InvocationResult =
  | { readonly kind: "returned"; readonly value: unknown }
  | { readonly kind: "threw"; readonly error: unknown }
  | { readonly kind: "timedOut" };

/**
 * Invokes `handler` and settles with how it ended. Past `timeoutMs` the invocation counts as timed out; the
 * handler cannot be killed in-process, so it runs on, but its result is ignored (on Lambda it would be frozen).
 */
export function invokeWithTimeout(
  handler: LocalSqsFunction,
  event: SqsEvent,
  context: LocalLambdaContext,
  timeoutMs: number,
): Promise<InvocationResult> {
  return new Promise<InvocationResult>((resolve) => {
    let settled = false;
    const settle = (result: InvocationResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => settle({ kind: "timedOut" }), timeoutMs);
    const callback = (error?: Error | string | null, value?: unknown) =>
      settle(error ? { kind: "threw", error } : { kind: "returned", value });
    try {
      const returned = handler(event, context, callback);
      if (returned !== undefined && typeof (returned as Promise<unknown>).then === "function") {
        (returned as Promise<unknown>).then(
          (value) => settle({ kind: "returned", value }),
          (error: unknown) => settle({ kind: "threw", error }),
        );
      }
    } catch (error) {
      settle({ kind: "threw", error });
    }
  });
}

/** Which records a returned value asks to keep: `failed` ids, or why the whole batch failed. */
export type ResponseVerdict =
  | { readonly kind: "partial"; readonly failedIds: ReadonlySet<string> }
  | { readonly kind: "invalid"; readonly reason: string };

const NONE: ReadonlySet<string> = new Set();

/**
 * Reads a returned value as Lambda does with `ReportBatchItemFailures`: nothing, `null`, `{}` or an empty
 * `batchItemFailures` is complete success; a failure without a valid `itemIdentifier` of this batch makes the
 * whole batch fail.
 */
export function readBatchResponse(value: unknown, event: SqsEvent): ResponseVerdict {
  if (value === undefined || value === null) return { kind: "partial", failedIds: NONE };
  if (typeof value !== "object") return { kind: "invalid", reason: `the function returned a ${typeof value}` };
  const failures = (value as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: "partial", failedIds: NONE };
  if (!Array.isArray(failures)) return { kind: "invalid", reason: "batchItemFailures is not an array" };
  if (failures.length === 0) return { kind: "partial", failedIds: NONE };
  const ids = new Set(event.Records.map((r) => r.messageId));
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "") {
      return { kind: "invalid", reason: "a batchItemFailures entry has no itemIdentifier" };
    }
    if (!ids.has(id))
      return { kind: "invalid", reason: `itemIdentifier ${JSON.stringify(id)} is not a record of the batch` };
    failedIds.add(id);
  }
  return { kind: "partial", failedIds };
}
