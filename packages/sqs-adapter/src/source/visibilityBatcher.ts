import type { BatchItemFailure } from "./sendBatchWithRetry.js";

/** One pending visibility change. */
export interface VisibilityChange<M> {
  /** The message id (for errors and logs). */
  readonly id: string;
  readonly message: M;
  /** New visibility timeout, from now, in seconds. */
  readonly seconds: number;
}

/** Coalesces visibility changes into batches of at most `maxBatch`. */
export interface VisibilityBatcher<M> {
  /** Queues a change; resolves with the error of its entry, or undefined when it succeeded. */
  change(message: M, seconds: number): Promise<unknown>;
  /** Sends everything queued now and resolves when those batches have answered. */
  flush(): Promise<void>;
}

interface Pending<M> extends VisibilityChange<M> {
  resolve(error: unknown): void;
}

/**
 * Collects the visibility changes requested in the same turn of the event loop
 * (the retries of a batch that failed together, the heartbeats of many messages)
 * and sends them as ChangeMessageVisibilityBatch calls of up to `maxBatch`
 * entries, instead of one ChangeMessageVisibility call per message.
 */
export function createVisibilityBatcher<M extends { readonly id: string }>(
  maxBatch: number,
  sendBatch: (changes: readonly VisibilityChange<M>[]) => Promise<BatchItemFailure<VisibilityChange<M>>[]>,
): VisibilityBatcher<M> {
  let queued: Pending<M>[] = [];
  let scheduled: ReturnType<typeof setImmediate> | undefined;
  const inFlight = new Set<Promise<void>>();

  function sendNow(): void {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    while (queued.length > 0) {
      const chunk = queued.slice(0, maxBatch);
      queued = queued.slice(maxBatch);
      const sent = sendChunk(chunk).finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
  }

  async function sendChunk(chunk: Pending<M>[]): Promise<void> {
    const errors = new Map<Pending<M>, unknown>();
    try {
      for (const failure of await sendBatch(chunk)) errors.set(failure.item as Pending<M>, failure.error);
    } catch (err) {
      for (const entry of chunk) errors.set(entry, err);
    }
    for (const entry of chunk) entry.resolve(errors.get(entry));
  }

  return {
    change(message, seconds) {
      return new Promise((resolve) => {
        queued.push({ id: message.id, message, seconds, resolve });
        if (queued.length >= maxBatch) sendNow();
        else scheduled ??= setImmediate(sendNow);
      });
    },
    async flush() {
      sendNow();
      await Promise.all(inFlight);
    },
  };
}
