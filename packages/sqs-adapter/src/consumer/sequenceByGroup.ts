import type { HandlerContext, MessageHandler } from "@resilient-jobs/core";
import { FifoGroupBlockedError } from "../errors.js";

/**
 * Wraps a handler so messages of the same FIFO group run one after another, in the
 * order they were handed to it; messages of different groups (and messages without a
 * group) still run concurrently.
 *
 * Why: SQS FIFO may return several messages of one group in a single receive (fauxqs
 * returns at most one), and the consumer starts every received message at once. SQS
 * will not hand out later messages of a group while these are in flight, so ordering
 * them here is enough to keep the group's order.
 *
 * If a message fails, the later messages of its group that are already waiting fail
 * with {@link FifoGroupBlockedError} without running (a retryable error, so they are
 * retried after it), as AWS recommends for FIFO batches.
 */
export function sequenceByGroup<T>(handler: MessageHandler<T>): MessageHandler<T> {
  /** Per group: settles true when the last queued message succeeded, false when it (or one before it) failed. */
  const tails = new Map<string, Promise<boolean>>();

  return (message, context) => {
    const { groupId } = message;
    if (groupId === undefined) return handler(message, context);
    const previous = tails.get(groupId);
    const run: Promise<void> =
      previous === undefined
        ? Promise.resolve().then(() => handler(message, context))
        : waitForTurn(previous, context).then((ok) => {
            if (!ok) throw new FifoGroupBlockedError(message.id, groupId);
            return handler(message, context);
          });
    const tail = run.then(
      () => true,
      () => false,
    );
    tails.set(groupId, tail);
    void tail.then(() => {
      if (tails.get(groupId) === tail) tails.delete(groupId);
    });
    return run;
  };
}

/** Resolves with the previous message's outcome, or rejects when the handler's signal fires first (shutdown). */
function waitForTurn(previous: Promise<boolean>, context: HandlerContext): Promise<boolean> {
  const { signal } = context;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    void previous.then((ok) => {
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    });
  });
}
