import type { BatchResultErrorEntry } from "@aws-sdk/client-sqs";
import type { Logger } from "@resilient-jobs/core";
import { normalizeAwsError, ReceiptHandleExpiredError, SqsAdapterError } from "../errors.js";

/** What a batch call (DeleteMessageBatch, ChangeMessageVisibilityBatch) answers, reduced to what we read. */
export interface BatchCallResult {
  Successful?: ReadonlyArray<{ Id?: string | undefined }> | undefined;
  Failed?: readonly BatchResultErrorEntry[] | undefined;
}

/** How {@link sendBatchWithRetry} retries and reports. */
export interface BatchRetryContext {
  /** SQS operation name, for errors and logs. */
  readonly operation: string;
  readonly queueUrl: string;
  /** Sends counted, the first included. */
  readonly attempts: number;
  /** Delay before attempt `attempt + 1`, given whether the last failure was throttling. */
  readonly delayMs: (attempt: number, throttling: boolean) => number;
  readonly logger: Logger;
}

/** One entry that could not be processed, with why. */
export interface BatchItemFailure<T> {
  item: T;
  error: unknown;
}

/**
 * Sends up to 10 items in one batch call and re-sends the entries that failed
 * with a retryable error (throttling, 5xx, network) after a backoff, until
 * they succeed or `attempts` run out. Every item ends up either succeeded or
 * in the returned failures: none is dropped silently, including entries the
 * response forgot to mention. An invalid receipt handle is never retried:
 * it means the message was received again and the newer receive owns it.
 *
 * `send` gets the pending items and must use each item's index in that array as the entry Id.
 */
export async function sendBatchWithRetry<T extends { readonly id: string }>(
  items: readonly T[],
  send: (pending: readonly T[]) => Promise<BatchCallResult>,
  context: BatchRetryContext,
): Promise<BatchItemFailure<T>[]> {
  const failures: BatchItemFailure<T>[] = [];
  let pending = items;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const last = attempt >= context.attempts;
    let result: BatchCallResult;
    try {
      result = await send(pending);
    } catch (err) {
      const aws = normalizeAwsError(err);
      if (last || !aws.retryable) {
        const error = new SqsAdapterError(
          `${context.operation} failed for ${pending.length} message(s) after ${attempt} attempt(s): ${aws.name}`,
          { cause: err, operation: context.operation, target: context.queueUrl },
        );
        for (const item of pending) failures.push({ item, error });
        context.logger.warn("sqs batch call failed", failureFields(context, pending, aws.name, attempt));
        return failures;
      }
      await sleep(context.delayMs(attempt, aws.throttling));
      continue;
    }
    const retry: T[] = [];
    let throttled = false;
    let accounted = result.Successful?.length ?? 0;
    for (const entry of result.Failed ?? []) {
      const item = pending[Number(entry.Id)];
      if (item === undefined) continue;
      accounted++;
      const aws = normalizeAwsError(entry);
      if (aws.name === "ReceiptHandleIsInvalid" || aws.name === "MessageNotInflight") {
        failures.push({ item, error: new ReceiptHandleExpiredError(item.id, { operation: context.operation, aws }) });
      } else if (aws.retryable && !last) {
        retry.push(item);
        throttled ||= aws.throttling;
      } else {
        const error = new SqsAdapterError(
          `${context.operation} failed for message ${item.id} after ${attempt} attempt(s): ${aws.code}${entry.Message ? ` (${entry.Message})` : ""}`,
          { operation: context.operation, target: context.queueUrl, aws },
        );
        failures.push({ item, error });
      }
    }
    if (accounted < pending.length) collectUnmentioned(pending, result, retry, failures, context, last);
    if (retry.length > 0) {
      context.logger.warn("sqs batch entries failed; retrying", failureFields(context, retry, "entries", attempt));
      await sleep(context.delayMs(attempt, throttled));
    }
    pending = retry;
  }
  return failures;
}

/** Entries the response listed neither as successful nor as failed: treat as failed-retryable, never as done. */
function collectUnmentioned<T extends { readonly id: string }>(
  pending: readonly T[],
  result: BatchCallResult,
  retry: T[],
  failures: BatchItemFailure<T>[],
  context: BatchRetryContext,
  last: boolean,
): void {
  const mentioned = new Set<string>();
  for (const entry of result.Successful ?? []) if (entry.Id !== undefined) mentioned.add(entry.Id);
  for (const entry of result.Failed ?? []) if (entry.Id !== undefined) mentioned.add(entry.Id);
  pending.forEach((item, index) => {
    if (mentioned.has(String(index))) return;
    if (!last) retry.push(item);
    else {
      const error = new SqsAdapterError(`${context.operation} response did not mention message ${item.id}`, {
        operation: context.operation,
        target: context.queueUrl,
      });
      failures.push({ item, error });
    }
  });
}

function failureFields(context: BatchRetryContext, items: readonly { id: string }[], reason: string, attempt: number) {
  return {
    operation: context.operation,
    queueUrl: context.queueUrl,
    messageIds: items.map((i) => i.id),
    reason,
    attempt,
  };
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
