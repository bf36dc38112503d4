/**
 * One run of `replayDeadLetters`: scan, select, pace, send then delete, and make what stays visible again.
 */
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { PAYLOAD_ATTRIBUTES, PAYLOAD_ATTRIBUTES_RESERVE_BYTES } from "@resilient-jobs/core";
import { MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES } from "../publish/limits.js";
import { byteLength } from "../publish/messageAttributes.js";
import { originalMessageAttributes } from "../source/deadLetterMessage.js";
import { callSqs } from "./queueRefs.js";
import type { ReplayConfig, ReplayedMessage, ReplayProgress, ReplayResult } from "./replayDeadLetters.js";
import { type DeadLetterCandidate, decodeBody, matchesMetadata, toCandidate } from "./replaySelection.js";

const RECEIVE_WAIT_SECONDS = 1;
/** SQS's FIFO deduplication window. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const MAX_LISTED = 1_000;
/** A matching message whose offloaded body could not be resolved. */
const UNREADABLE = Symbol("unreadable");

/** One replay's state: counts, the handles held hidden, the pace. */
export class ReplayRun {
  readonly #config: ReplayConfig;
  readonly #to: string | undefined;
  readonly #total: number | undefined;
  readonly #warnings: string[];
  readonly #seen = new Set<string>();
  /** Receipt handles (the latest, by message id) of scanned messages that stay in the DLQ: visible again at the end. */
  readonly #held = new Map<string, string>();
  /** Receipt handles received and neither held nor sent yet: made visible again at the end too, whatever happens. */
  readonly #unsettled = new Set<string>();
  /** Messages held because they did not match (on a FIFO DLQ, each keeps its group locked). */
  #heldNotMatching = 0;
  readonly #messages: ReplayedMessage[] = [];
  readonly #byReason: Record<string, number> = {};
  readonly #startedAt: number;
  #nextSendAt: number;
  #counts = { scanned: 0, matched: 0, moved: 0, deleteFailed: 0, failed: 0, fresh: 0 };

  constructor(config: ReplayConfig, to: string | undefined, total: number, warnings: string[]) {
    this.#config = config;
    this.#to = to;
    this.#total = Number.isFinite(total) ? total : undefined;
    this.#warnings = warnings;
    this.#startedAt = config.clock.now();
    this.#nextSendAt = this.#startedAt;
  }

  async execute(): Promise<ReplayResult> {
    const { signal, max } = this.#config;
    let stoppedBecause: string | undefined;
    try {
      for (;;) {
        if (signal?.aborted) {
          stoppedBecause = "aborted";
          break;
        }
        if (max !== undefined && this.#counts.matched >= max) break;
        const received = await this.#receive();
        if (received.length === 0) break;
        for (const message of received) this.#unsettled.add(message.ReceiptHandle ?? "");
        // A long scan outlasts the visibility timeout: held messages come back. Only those: the scan is done.
        const onlySeen = received.every((message) => this.#seen.has(message.MessageId ?? ""));
        const batch: Array<{ entry: SendMessageBatchRequestEntry; handle: string; listed: ReplayedMessage }> = [];
        for (const message of received) {
          const handle = message.ReceiptHandle ?? "";
          const id = message.MessageId ?? "";
          if (this.#seen.has(id)) {
            // Received again: its newest handle is the one that can make it visible.
            if (this.#held.has(id)) this.#hold(id, handle);
            continue;
          }
          if (max !== undefined && this.#counts.matched >= max) {
            this.#hold(id, handle); // past `max`
            continue;
          }
          this.#seen.add(id);
          this.#counts.scanned++;
          const candidate = toCandidate(message);
          const body = await this.#matchingBody(candidate);
          if (body === undefined) {
            this.#heldNotMatching++;
            this.#hold(id, handle);
            continue;
          }
          this.#counts.matched++;
          const code = candidate.origin?.reason.code ?? "(none)";
          this.#byReason[code] = (this.#byReason[code] ?? 0) + 1;
          if (body === UNREADABLE) {
            this.#counts.failed++; // its offloaded body could not be resolved: it stays in the DLQ
            this.#hold(id, handle);
            continue;
          }
          if (this.#config.dryRun) {
            this.#list(this.#listing(candidate, body.text, false));
            this.#hold(id, handle);
            continue;
          }
          const prepared = await this.#entry(candidate, message, body, String(batch.length));
          if (prepared === undefined) {
            this.#counts.failed++;
            this.#hold(id, handle);
            continue;
          }
          batch.push({ ...prepared, handle });
        }
        if (batch.length > 0 && !(await this.#send(batch))) {
          stoppedBecause = "aborted";
          break;
        }
        this.#config.onProgress?.(this.#progress());
        if (onlySeen) break;
      }
    } finally {
      await this.#releaseHeld();
    }
    const c = this.#counts;
    const warnings = [...this.#warnings];
    if (this.#heldNotMatching > 0 && this.#config.from.endsWith(".fifo")) {
      warnings.push(
        `${this.#config.from} is a FIFO queue: ${this.#heldNotMatching} message(s) that did not match stayed in it during the scan, each keeping its message group locked, so messages behind them in their groups were not scanned; to replay those, replay without a filter, or with a filter that matches whole groups`,
      );
    }
    return {
      from: this.#config.from,
      to: this.#to,
      dryRun: this.#config.dryRun,
      scanned: c.scanned,
      matched: c.matched,
      moved: c.moved,
      deleteFailed: c.deleteFailed,
      failed: c.failed,
      byReason: { ...this.#byReason },
      freshDeduplicationIds: c.fresh,
      messages: this.#messages,
      ...(stoppedBecause === undefined ? {} : { stoppedBecause }),
      warnings,
    };
  }

  #receive(): Promise<Message[]> {
    const { client, from, visibilityTimeoutSeconds } = this.#config;
    return callSqs("ReceiveMessage", from, () =>
      client.send(
        new ReceiveMessageCommand({
          QueueUrl: from,
          MaxNumberOfMessages: MAX_BATCH_ENTRIES,
          VisibilityTimeout: visibilityTimeoutSeconds,
          WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: [
            "ApproximateReceiveCount",
            "SentTimestamp",
            "MessageGroupId",
            "MessageDeduplicationId",
            "AWSTraceHeader",
          ],
        }),
      ),
    ).then((out) => out.Messages ?? []);
  }

  /**
   * The body's text and decoded value when the candidate matches `where`; `undefined` when it does not;
   * {@link UNREADABLE} when `where.body` or `transform` needs an offloaded body that cannot be resolved.
   */
  async #matchingBody(
    candidate: DeadLetterCandidate,
  ): Promise<{ text: string; value: unknown } | typeof UNREADABLE | undefined> {
    const { where, payloads, transform } = this.#config;
    if (!matchesMetadata(where, candidate, this.#config.clock.now())) return undefined;
    const needsBody = where.body !== undefined || transform !== undefined;
    if (!needsBody && !this.#config.includeBody) return { text: candidate.rawBody, value: undefined };
    let text = candidate.rawBody;
    if (payloads) {
      try {
        text = await payloads.resolve(candidate.rawBody, candidate);
      } catch {
        // A PAYLOAD_NOT_FOUND dead letter, a store failure: only this message fails (a listing shows the pointer).
        if (needsBody) return UNREADABLE;
      }
    }
    const value = decodeBody(text);
    if (where.body !== undefined) {
      try {
        if (!where.body(value, candidate)) return undefined;
      } catch {
        return undefined;
      }
    }
    return { text, value };
  }

  async #entry(
    candidate: DeadLetterCandidate,
    message: Message,
    body: { text: string; value: unknown },
    id: string,
  ): Promise<{ entry: SendMessageBatchRequestEntry; listed: ReplayedMessage } | undefined> {
    const { transform, payloads } = this.#config;
    const attributes: Record<string, MessageAttributeValue> = originalMessageAttributes(message.MessageAttributes);
    let messageBody = candidate.rawBody;
    if (transform !== undefined) {
      // A transform that throws or rejects, or whose result is not JSON (undefined, a BigInt, a cycle), fails
      // this message only: it is not sent, and stays in the DLQ.
      try {
        const next: unknown = await transform(body.value, candidate);
        const text: unknown = typeof next === "string" ? next : JSON.stringify(next);
        if (typeof text !== "string") return undefined;
        messageBody = text;
      } catch {
        return undefined;
      }
      for (const name of Object.values(PAYLOAD_ATTRIBUTES)) delete attributes[name];
      if (payloads !== undefined) {
        const maxBodyBytes = SQS_MAX_MESSAGE_BYTES - attributeBytes(attributes) - PAYLOAD_ATTRIBUTES_RESERVE_BYTES;
        try {
          const offloaded = await payloads.offload(messageBody, { maxBodyBytes });
          messageBody = offloaded.body;
          for (const [name, value] of Object.entries(offloaded.attributes)) {
            attributes[name] =
              typeof value === "number"
                ? { DataType: "Number", StringValue: String(value) }
                : { DataType: "String", StringValue: value };
          }
        } catch {
          return undefined; // the upload failed: this message stays in the DLQ
        }
      }
    }
    if (byteLength(messageBody) + attributeBytes(attributes) > SQS_MAX_MESSAGE_BYTES) return undefined;
    const toFifo = this.#to?.endsWith(".fifo") === true;
    const fresh = toFifo && this.#config.clock.now() - candidate.sentAt < DEDUPLICATION_WINDOW_MS;
    const original = candidate.deduplicationId ?? candidate.id;
    const deduplicationId = fresh
      ? `${original.slice(0, 100)}-replay-${this.#config.clock.now().toString(36)}`
      : original;
    if (fresh) this.#counts.fresh++;
    const traceHeader = message.Attributes?.AWSTraceHeader;
    const entry: SendMessageBatchRequestEntry = {
      Id: id,
      MessageBody: messageBody,
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
      ...(candidate.groupId === undefined ? {} : { MessageGroupId: candidate.groupId }),
      ...(toFifo ? { MessageDeduplicationId: deduplicationId } : {}),
      ...(traceHeader === undefined
        ? {}
        : { MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: traceHeader } } }),
    };
    return { entry, listed: this.#listing(candidate, body.text, fresh) };
  }

  /**
   * Sends a batch at the configured pace, then deletes what was sent. Returns false when the signal fired
   * while waiting for the pace (nothing of the batch was sent: it stays in the DLQ).
   */
  async #send(
    batch: Array<{ entry: SendMessageBatchRequestEntry; handle: string; listed: ReplayedMessage }>,
  ): Promise<boolean> {
    const { client, from, perSecond, clock, signal } = this.#config;
    const to = this.#to!;
    const chunkSize =
      perSecond === undefined ? MAX_BATCH_ENTRIES : Math.max(1, Math.min(MAX_BATCH_ENTRIES, Math.floor(perSecond)));
    for (const chunk of chunksOf(batch, chunkSize)) {
      if (perSecond !== undefined) {
        const now = clock.now();
        if (this.#nextSendAt > now) await clock.sleep(this.#nextSendAt - now, signal);
        if (signal?.aborted) {
          for (const rest of batch.slice(batch.indexOf(chunk[0]!))) this.#hold(rest.listed.id, rest.handle);
          return false;
        }
        this.#nextSendAt = Math.max(clock.now(), this.#nextSendAt) + (chunk.length * 1000) / perSecond;
      }
      // Neither call takes the signal: once a chunk is sent, it is deleted, so Ctrl-C never half-moves it.
      let sent: string[] = [];
      try {
        const out = await client.send(
          new SendMessageBatchCommand({ QueueUrl: to, Entries: chunk.map((b) => b.entry) }),
        );
        sent = (out.Successful ?? []).map((ok) => ok.Id ?? "");
      } catch {
        // Nothing of this chunk went out (or we cannot tell): it stays in the DLQ.
      }
      const sentIds = new Set(sent);
      for (const item of chunk) {
        if (sentIds.has(item.entry.Id ?? "")) {
          this.#unsettled.delete(item.handle); // sent: deleted next, or (a failed delete) replayed again later
        } else {
          this.#counts.failed++;
          this.#hold(item.listed.id, item.handle);
        }
      }
      const toDelete = chunk.filter((item) => sentIds.has(item.entry.Id ?? ""));
      if (toDelete.length === 0) continue;
      let deleted = 0;
      try {
        const out = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: from,
            Entries: toDelete.map((item) => ({ Id: item.entry.Id, ReceiptHandle: item.handle })),
          }),
        );
        deleted = out.Successful?.length ?? 0;
      } catch {
        deleted = 0;
      }
      this.#counts.moved += deleted;
      this.#counts.deleteFailed += toDelete.length - deleted;
      for (const item of toDelete) this.#list(item.listed);
    }
    return true;
  }

  #listing(candidate: DeadLetterCandidate, text: string, fresh: boolean): ReplayedMessage {
    const reason = candidate.origin?.reason;
    return {
      id: candidate.id,
      code: reason?.code,
      reason: reason?.message,
      ageSeconds: Math.round((this.#config.clock.now() - candidate.sentAt) / 1000),
      receiveCount: candidate.receiveCount,
      ...(candidate.groupId === undefined ? {} : { groupId: candidate.groupId }),
      ...(fresh ? { freshDeduplicationId: true } : {}),
      ...(this.#config.includeBody ? { bodyExcerpt: text.slice(0, 200) } : {}),
    };
  }

  #list(listed: ReplayedMessage): void {
    if (this.#messages.length < MAX_LISTED) this.#messages.push(listed);
  }

  #progress(): ReplayProgress {
    const c = this.#counts;
    const elapsedS = Math.max(0.001, (this.#config.clock.now() - this.#startedAt) / 1000);
    const ratePerSecond = c.moved / elapsedS;
    const total = this.#total;
    let etaSeconds: number | undefined;
    if (total !== undefined && c.scanned > 0 && ratePerSecond > 0) {
      const remaining = Math.max(0, total - c.scanned) * (c.matched / c.scanned);
      etaSeconds = Math.round(remaining / ratePerSecond);
    }
    return {
      scanned: c.scanned,
      matched: c.matched,
      sent: c.moved,
      failed: c.failed,
      total,
      ratePerSecond,
      etaSeconds,
    };
  }

  /** Keeps a scanned message in the DLQ, to make it visible again at the end; `handle` replaces an older one. */
  #hold(id: string, handle: string): void {
    const older = this.#held.get(id);
    if (older !== undefined) this.#unsettled.delete(older);
    this.#held.set(id, handle);
    this.#unsettled.delete(handle);
  }

  /**
   * Makes every held message visible again at once (what did not match, or was not sent), and every message
   * received but neither held nor sent (a replay that stopped on an error mid-batch).
   */
  async #releaseHeld(): Promise<void> {
    const { client, from } = this.#config;
    const handles = [...new Set([...this.#held.values(), ...this.#unsettled])].filter((handle) => handle !== "");
    this.#held.clear();
    this.#unsettled.clear();
    for (const chunk of chunksOf(handles, MAX_BATCH_ENTRIES)) {
      try {
        await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: from,
            Entries: chunk.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: 0 })),
          }),
        );
      } catch {
        // They become visible when their visibility timeout passes.
      }
    }
  }
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function attributeBytes(attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += byteLength(name) + byteLength(value.DataType ?? "");
    size += value.StringValue === undefined ? (value.BinaryValue?.byteLength ?? 0) : byteLength(value.StringValue);
  }
  return size;
}
