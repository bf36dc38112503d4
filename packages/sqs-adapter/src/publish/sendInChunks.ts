import pLimit from "p-limit";
import { normalizeAwsError } from "../errors.js";
import type { EncodedMessage } from "./encodeMessage.js";
import type { FailedPublish, PublishedMessage } from "./errors.js";
import { PartialPublishError } from "./errors.js";
import { MAX_BATCH_ENTRIES } from "./limits.js";

/** The per-entry answer of SendMessageBatch and PublishBatch (same shape on both services). */
export interface ChunkResult {
  Successful?: Array<{ Id?: string; MessageId?: string; SequenceNumber?: string }>;
  Failed?: Array<{ Id?: string; Code?: string; Message?: string; SenderFault?: boolean }>;
}

/** Sends one chunk (<= 10 entries, <= the byte limit) in one request. */
export type SendChunk = (entries: readonly EncodedMessage[], signal: AbortSignal | undefined) => Promise<ChunkResult>;

/** How {@link sendInChunks} retries and where it sends. */
export interface ChunkSendConfig {
  /** Sum of message sizes one request may carry. */
  readonly maxBatchBytes: number;
  /** Attempts per entry, the first included. */
  readonly attempts: number;
  /** Most requests in flight at once; FIFO targets use 1 whatever this says. */
  readonly concurrency: number;
  /** Milliseconds to wait before retry number `attempt` (1 = the first retry). */
  readonly delayMs: (attempt: number) => number;
  /** Whether an error thrown by a whole request is worth another attempt. */
  readonly isRetryable: (err: unknown) => boolean;
  /** Queue URL or topic ARN, for errors. */
  readonly target: string;
  /** FIFO queue or topic: keep each message group in order (see {@link sendInChunks}). */
  readonly fifo: boolean;
}

/**
 * Splits messages into requests of at most 10 entries and `maxBatchBytes`, in order (a greedy split
 * keeps FIFO groups ordered: a later request never overtakes an earlier one).
 */
export function chunkMessages(messages: readonly EncodedMessage[], maxBatchBytes: number): EncodedMessage[][] {
  const chunks: EncodedMessage[][] = [];
  let current: EncodedMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length > 0 && (current.length === MAX_BATCH_ENTRIES || bytes + message.sizeBytes > maxBatchBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.sizeBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Sends the messages chunk by chunk and retries only the entries that failed with a server fault
 * (`SenderFault: false`), or a whole request whose error `isRetryable`, with backoff between attempts.
 * Entries the service blamed on the sender are not retried: they would fail again. Resolves with every
 * message published, or throws {@link PartialPublishError} listing what went out and what did not.
 *
 * Standard targets: up to `concurrency` requests (each with its retries) in flight at once, through p-limit. Once
 * a request failed for good, requests not yet started are not sent; those in flight finish.
 *
 * FIFO: one request at a time, in order. A retry must not put a message behind its successors. A failed entry is
 * not retried once a later message of its group went out in the same request, and once a message of a group has
 * failed for good, the group's later messages are not sent (both reported failed, code `FifoOrder`).
 */
export async function sendInChunks(
  messages: readonly EncodedMessage[],
  send: SendChunk,
  config: ChunkSendConfig,
  signal: AbortSignal | undefined,
): Promise<PublishedMessage[]> {
  const successful: PublishedMessage[] = [];
  const failed: FailedPublish[] = [];
  const chunks = chunkMessages(messages, config.maxBatchBytes);
  const failedGroups = new Set<string>();
  let stopError: unknown;
  const sendChunk = async (chunk: readonly EncodedMessage[]): Promise<void> => {
    if (stopError !== undefined) {
      // An earlier request failed for good (no such queue, no credentials): the rest would fail too.
      failed.push(...chunk.map((entry) => failure(entry, describeError(stopError))));
      return;
    }
    let sendable = chunk;
    if (config.fifo && failedGroups.size > 0) {
      sendable = chunk.filter((entry) => !(entry.groupId !== undefined && failedGroups.has(entry.groupId)));
      for (const entry of chunk) if (!sendable.includes(entry)) failed.push(failure(entry, groupBlocked(entry)));
      if (sendable.length === 0) return;
    }
    const failedBefore = failed.length;
    const error = await sendChunkWithRetries(sendable, send, config, signal, successful, failed);
    stopError ??= error;
    if (config.fifo) {
      // One request at a time (limit 1), so everything failed since failedBefore belongs to this chunk.
      for (const lost of failed.slice(failedBefore)) {
        const groupId = messages[lost.index]?.groupId;
        if (groupId !== undefined) failedGroups.add(groupId);
      }
    }
  };
  // A plain concurrency limit: p-limit starts the chunks in order, at most `concurrency` at once.
  const limit = pLimit(config.fifo ? 1 : config.concurrency);
  await Promise.all(chunks.map((chunk) => limit(sendChunk, chunk)));
  if (failed.length > 0) {
    failed.sort((a, b) => a.index - b.index);
    successful.sort((a, b) => a.index - b.index);
    throw new PartialPublishError(successful, failed, config.target, stopError);
  }
  return successful.sort((a, b) => a.index - b.index);
}

interface FailureReason {
  code: string;
  message: string;
  senderFault: boolean;
}

// Returns the error that should stop the remaining chunks, if any.
async function sendChunkWithRetries(
  chunk: readonly EncodedMessage[],
  send: SendChunk,
  config: ChunkSendConfig,
  signal: AbortSignal | undefined,
  successful: PublishedMessage[],
  failed: FailedPublish[],
): Promise<unknown> {
  const lastReason = new Map<EncodedMessage, FailureReason>();
  let pending: readonly EncodedMessage[] = chunk;
  for (let attempt = 1; ; attempt++) {
    let retry: EncodedMessage[];
    let callError: unknown;
    try {
      signal?.throwIfAborted();
      const sentBefore = successful.length;
      retry = collect(pending, await send(pending, signal), successful, failed, lastReason);
      if (config.fifo && retry.length > 0) retry = keepGroupOrder(retry, successful.slice(sentBefore), pending, failed);
    } catch (err) {
      if (signal?.aborted || !config.isRetryable(err)) {
        failed.push(...pending.map((entry) => failure(entry, describeError(err))));
        return err;
      }
      callError = err;
      const reason = describeError(err);
      for (const entry of pending) lastReason.set(entry, reason);
      retry = [...pending];
    }
    if (retry.length === 0) return undefined;
    if (attempt >= config.attempts) {
      failed.push(...retry.map((entry) => failure(entry, lastReason.get(entry) ?? UNANSWERED)));
      return callError;
    }
    try {
      await sleep(config.delayMs(attempt), signal);
    } catch (abort) {
      failed.push(...retry.map((entry) => failure(entry, describeError(abort))));
      return abort;
    }
    pending = retry;
  }
}

// Entries whose group already has a later message on the queue cannot be retried without reordering the group.
function keepGroupOrder(
  retry: EncodedMessage[],
  sent: readonly PublishedMessage[],
  pending: readonly EncodedMessage[],
  failed: FailedPublish[],
): EncodedMessage[] {
  const lastSentIndex = new Map<string, number>();
  const byIndex = new Map(pending.map((entry) => [entry.index, entry]));
  for (const published of sent) {
    const groupId = byIndex.get(published.index)?.groupId;
    if (groupId !== undefined) lastSentIndex.set(groupId, Math.max(lastSentIndex.get(groupId) ?? -1, published.index));
  }
  return retry.filter((entry) => {
    const overtaken = entry.groupId !== undefined && (lastSentIndex.get(entry.groupId) ?? -1) > entry.index;
    if (overtaken) {
      failed.push(
        failure(entry, {
          code: "FifoOrder",
          message: `not retried: a later message of group "${entry.groupId}" was already sent, a retry would reorder the group`,
          senderFault: false,
        }),
      );
    }
    return !overtaken;
  });
}

function groupBlocked(entry: EncodedMessage): FailureReason {
  return {
    code: "FifoOrder",
    message: `not sent: an earlier message of group "${entry.groupId}" failed, sending this one would reorder the group`,
    senderFault: false,
  };
}

const UNANSWERED: FailureReason = {
  code: "Unknown",
  message: "the service did not answer for this entry",
  senderFault: false,
};

// Records successes and sender faults; returns the entries to retry: server faults, and entries the
// answer did not mention at all (a correct service never does that, but a proxy might).
function collect(
  pending: readonly EncodedMessage[],
  result: ChunkResult,
  successful: PublishedMessage[],
  failed: FailedPublish[],
  lastReason: Map<EncodedMessage, FailureReason>,
): EncodedMessage[] {
  const byId = new Map(pending.map((entry) => [entry.id, entry]));
  for (const ok of result.Successful ?? []) {
    const entry = ok.Id === undefined ? undefined : byId.get(ok.Id);
    if (!entry) continue;
    byId.delete(entry.id);
    successful.push({
      index: entry.index,
      id: entry.id,
      messageId: ok.MessageId ?? "",
      correlationId: entry.correlationId,
      ...(ok.SequenceNumber === undefined ? {} : { sequenceNumber: ok.SequenceNumber }),
    });
  }
  for (const bad of result.Failed ?? []) {
    const entry = bad.Id === undefined ? undefined : byId.get(bad.Id);
    if (!entry) continue;
    const reason = { code: bad.Code ?? "Unknown", message: bad.Message ?? "", senderFault: bad.SenderFault === true };
    if (reason.senderFault) {
      byId.delete(entry.id);
      failed.push(failure(entry, reason));
    } else {
      lastReason.set(entry, reason);
    }
  }
  return [...byId.values()];
}

function failure(entry: EncodedMessage, reason: FailureReason): FailedPublish {
  return { index: entry.index, id: entry.id, correlationId: entry.correlationId, ...reason };
}

function describeError(err: unknown): FailureReason {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === "AbortError") return { code: "Aborted", message, senderFault: false };
  const fault = (err as { $fault?: unknown } | null)?.$fault;
  return { code: normalizeAwsError(err).name, message, senderFault: fault === "client" };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
