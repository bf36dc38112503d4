import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry, SQSClient } from "@aws-sdk/client-sqs";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import {
  InvalidOptionError,
  type LargePayloads,
  PAYLOAD_ATTRIBUTES,
  PAYLOAD_ATTRIBUTES_RESERVE_BYTES,
} from "@resilient-jobs/core";
import { MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES } from "../publish/limits.js";
import { byteLength } from "../publish/messageAttributes.js";
import { originalMessageAttributes } from "../source/deadLetterMessage.js";
import { callSqs, queueAttributes } from "./queueRefs.js";
import { soleSourceQueue } from "./redriveDeadLetters.js";
import {
  type DeadLetterCandidate,
  decodeBody,
  matchesMetadata,
  type ReplayWhere,
  toCandidate,
} from "./replaySelection.js";

export type { DeadLetterCandidate, ReplayWhere } from "./replaySelection.js";

/** The clock replay paces with; tests pass a virtual one. */
export interface ReplayClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions {
  /** The SQS client. */
  client: SQSClient;
  /** URL of the dead-letter queue. */
  from: string;
  /** Where matching messages go. @defaultValue the queue whose RedrivePolicy names `from` */
  to?: string;
  /** Which messages move; the others stay and are visible again when the replay ends. @defaultValue all */
  where?: ReplayWhere;
  /**
   * A new body for each matching message, from its decoded body (JSON, else the text); a string is sent as it
   * is, anything else as JSON. The reason attributes are dropped as by redrive, and so are the payload
   * attributes: with `payloads`, the new body is offloaded again when it does not fit.
   * @defaultValue the body unchanged (an offloaded body's pointer and attributes are carried as they are)
   */
  transform?: (body: unknown, message: DeadLetterCandidate) => unknown;
  /** Most messages sent per second. @defaultValue no limit */
  perSecond?: number;
  /** List what would move, and count it by reason, without sending or deleting anything. @defaultValue `false` */
  dryRun?: boolean;
  /** Most messages to move (or to list). @defaultValue all that match */
  max?: number;
  /** Resolves offloaded bodies for `where.body` and `transform`, and offloads transformed ones. @defaultValue none */
  payloads?: LargePayloads;
  /** A dry run's listing carries the first 200 characters of each body. @defaultValue `false` */
  includeBody?: boolean;
  /**
   * How long each scanned message stays hidden while the replay runs, in seconds. Messages that do not match
   * are made visible again at the end (or, after a crash, when this passes).
   * @defaultValue 120
   */
  visibilityTimeoutSeconds?: number;
  /** Stops between batches: the batch in flight is sent and deleted first, so nothing is half-moved. */
  signal?: AbortSignal;
  /** Called after each batch. */
  onProgress?: (progress: ReplayProgress) => void;
  /** @defaultValue the real clock */
  clock?: ReplayClock;
}

/** Counts so far, for a progress line. */
export interface ReplayProgress {
  readonly scanned: number;
  readonly matched: number;
  readonly sent: number;
  readonly failed: number;
  /** The DLQ's ApproximateNumberOfMessages when the replay started. */
  readonly total: number | undefined;
  /** Messages sent per second so far. */
  readonly ratePerSecond: number;
  /** Seconds left at this rate, estimated from the share of scanned messages that matched. */
  readonly etaSeconds: number | undefined;
}

/** One matching message, as a dry run lists it (and a replay reports it). */
export interface ReplayedMessage {
  readonly id: string;
  readonly code: string | undefined;
  readonly reason: string | undefined;
  readonly ageSeconds: number;
  readonly receiveCount: number;
  readonly groupId?: string;
  /** Sent with a new deduplication id: the original one was sent less than 5 minutes ago and would be dropped. */
  readonly freshDeduplicationId?: boolean;
  /** The first 200 characters of the body (`includeBody`). */
  readonly bodyExcerpt?: string;
}

/** What {@link replayDeadLetters} did (or, in a dry run, would do). */
export interface ReplayResult {
  readonly from: string;
  readonly to: string | undefined;
  readonly dryRun: boolean;
  /** Distinct messages looked at. */
  readonly scanned: number;
  readonly matched: number;
  /** Sent to `to` and deleted from `from`. */
  readonly moved: number;
  /** Sent but not deleted: they will be replayed again (at-least-once). */
  readonly deleteFailed: number;
  /** Matched but not sent (a send failure, a body too large): still in `from`. */
  readonly failed: number;
  /** Matching messages by reason code (`(none)`: moved by a RedrivePolicy, no reason). */
  readonly byReason: Readonly<Record<string, number>>;
  readonly freshDeduplicationIds: number;
  /** Matching messages (a dry run's listing; in a replay, those moved), at most 1,000. */
  readonly messages: readonly ReplayedMessage[];
  readonly stoppedBecause?: string;
  /** Things the operator should know (a DLQ whose own RedrivePolicy a scan's receives count toward). */
  readonly warnings: readonly string[];
}

const DEFAULTS = Object.freeze({ visibilityTimeoutSeconds: 120 });
const RECEIVE_WAIT_SECONDS = 1;
/** SQS's FIFO deduplication window. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const MAX_LISTED = 1_000;
const realClock: ReplayClock = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/**
 * Replays chosen messages from a dead-letter queue: scans it (each message hidden while the replay runs), sends
 * those that match `where` (optionally transformed) to `to` at most `perSecond`, and deletes from the DLQ only
 * what was sent; the others are made visible again at the end. Keeps body, attributes (reason attributes
 * removed), FIFO group and deduplication id (a fresh one when the original would be deduplicated). Send, then
 * delete, batch by batch: a crash duplicates at most the batch in flight and loses nothing.
 *
 * A scan is a receive: each message's ApproximateReceiveCount in the DLQ grows by one. A DLQ has no redrive
 * policy of its own as a rule, so nothing moves; when it has one, `warnings` says so. Replayed messages start
 * from a receive count of 0 in `to`.
 * @throws InvalidOptionError for bad options; SqsAdapterError when a queue is missing or a call fails.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const config = resolveReplayOptions(options);
  const { client, from, signal } = config;
  const attributes = await queueAttributes(
    client,
    from,
    ["QueueArn", "ApproximateNumberOfMessages", "RedrivePolicy"],
    signal,
  );
  const warnings: string[] = [];
  if (attributes.RedrivePolicy) {
    const max = (JSON.parse(attributes.RedrivePolicy) as { maxReceiveCount?: number }).maxReceiveCount;
    warnings.push(
      `${from} has a RedrivePolicy of its own (maxReceiveCount ${max}): every scan is a receive, so a message scanned that many times moves on`,
    );
  }
  let to = config.to;
  if (to === undefined) {
    try {
      to = await soleSourceQueue(client, from, attributes.QueueArn ?? "", signal);
    } catch (error) {
      if (!config.dryRun) throw error;
    }
  }
  if (to === from) throw new InvalidOptionError("to", "a queue other than `from`", to);
  const run = new ReplayRun(config, to, Number(attributes.ApproximateNumberOfMessages ?? Number.NaN), warnings);
  return run.execute();
}

type ReplayConfig = Readonly<
  Omit<ReplayOptions, "visibilityTimeoutSeconds" | "clock" | "where" | "dryRun"> & {
    visibilityTimeoutSeconds: number;
    clock: ReplayClock;
    where: ReplayWhere;
    dryRun: boolean;
  }
>;

function resolveReplayOptions(options: ReplayOptions): ReplayConfig {
  const { client, from, to, max, perSecond, transform, payloads } = options ?? ({} as ReplayOptions);
  if (typeof client?.send !== "function") throw new InvalidOptionError("client", "an SQSClient", client);
  if (typeof from !== "string" || !URL.canParse(from)) throw new InvalidOptionError("from", "a queue URL", from);
  if (to !== undefined && (typeof to !== "string" || !URL.canParse(to))) {
    throw new InvalidOptionError("to", "a queue URL", to);
  }
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) {
    throw new InvalidOptionError("max", "an integer >= 1", max);
  }
  if (perSecond !== undefined && !(typeof perSecond === "number" && perSecond > 0 && perSecond <= 3000)) {
    throw new InvalidOptionError("perSecond", "a number of messages per second above 0, at most 3000", perSecond);
  }
  if (transform !== undefined && typeof transform !== "function") {
    throw new InvalidOptionError("transform", "a function", transform);
  }
  if (payloads !== undefined && typeof payloads?.resolve !== "function") {
    throw new InvalidOptionError("payloads", "s3Payloads({ client, bucket })", payloads);
  }
  const where = options.where ?? {};
  if (typeof where !== "object" || where === null) throw new InvalidOptionError("where", "an object", where);
  if (where.body !== undefined && typeof where.body !== "function") {
    throw new InvalidOptionError("where.body", "a function", where.body);
  }
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? DEFAULTS.visibilityTimeoutSeconds;
  if (
    !(Number.isInteger(visibilityTimeoutSeconds) && visibilityTimeoutSeconds >= 1 && visibilityTimeoutSeconds <= 43_200)
  ) {
    throw new InvalidOptionError("visibilityTimeoutSeconds", "an integer from 1 to 43200", visibilityTimeoutSeconds);
  }
  return Object.freeze({
    ...options,
    where,
    dryRun: options.dryRun === true,
    visibilityTimeoutSeconds,
    clock: options.clock ?? realClock,
  });
}

/** One replay's state: counts, the handles held hidden, the pace. */
class ReplayRun {
  readonly #config: ReplayConfig;
  readonly #to: string | undefined;
  readonly #total: number | undefined;
  readonly #warnings: string[];
  readonly #seen = new Set<string>();
  /** Receipt handles of scanned messages that stay in the DLQ: made visible again at the end. */
  readonly #held: string[] = [];
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
        const batch: Array<{ entry: SendMessageBatchRequestEntry; handle: string; listed: ReplayedMessage }> = [];
        for (const message of received) {
          const handle = message.ReceiptHandle ?? "";
          const id = message.MessageId ?? "";
          if (this.#seen.has(id) || (max !== undefined && this.#counts.matched >= max)) {
            this.#held.push(handle); // seen already (its visibility lapsed during a long scan), or past `max`
            continue;
          }
          this.#seen.add(id);
          this.#counts.scanned++;
          const candidate = toCandidate(message);
          const body = await this.#matchingBody(candidate);
          if (body === undefined) {
            this.#held.push(handle);
            continue;
          }
          this.#counts.matched++;
          const code = candidate.origin?.reason.code ?? "(none)";
          this.#byReason[code] = (this.#byReason[code] ?? 0) + 1;
          if (this.#config.dryRun) {
            this.#list(this.#listing(candidate, body.text, false));
            this.#held.push(handle);
            continue;
          }
          const prepared = await this.#entry(candidate, message, body, String(batch.length));
          if (prepared === undefined) {
            this.#counts.failed++;
            this.#held.push(handle);
            continue;
          }
          batch.push({ ...prepared, handle });
        }
        if (batch.length > 0 && !(await this.#send(batch))) {
          stoppedBecause = "aborted";
          break;
        }
        this.#config.onProgress?.(this.#progress());
      }
    } finally {
      await this.#releaseHeld();
    }
    const c = this.#counts;
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
      warnings: this.#warnings,
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

  /** The body's text and decoded value when the candidate matches `where`; `undefined` when it does not. */
  async #matchingBody(candidate: DeadLetterCandidate): Promise<{ text: string; value: unknown } | undefined> {
    const { where, payloads, transform } = this.#config;
    if (!matchesMetadata(where, candidate, this.#config.clock.now())) return undefined;
    const needsBody = where.body !== undefined || transform !== undefined || this.#config.includeBody;
    if (!needsBody) return { text: candidate.rawBody, value: undefined };
    const text = payloads ? await payloads.resolve(candidate.rawBody, candidate) : candidate.rawBody;
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
      let next: unknown;
      try {
        next = transform(body.value, candidate);
      } catch {
        return undefined;
      }
      messageBody = typeof next === "string" ? next : JSON.stringify(next);
      for (const name of Object.values(PAYLOAD_ATTRIBUTES)) delete attributes[name];
      if (payloads !== undefined) {
        const maxBodyBytes = SQS_MAX_MESSAGE_BYTES - attributeBytes(attributes) - PAYLOAD_ATTRIBUTES_RESERVE_BYTES;
        const offloaded = await payloads.offload(messageBody, { maxBodyBytes });
        messageBody = offloaded.body;
        for (const [name, value] of Object.entries(offloaded.attributes)) {
          attributes[name] =
            typeof value === "number"
              ? { DataType: "Number", StringValue: String(value) }
              : { DataType: "String", StringValue: value };
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
          for (const rest of batch.slice(batch.indexOf(chunk[0]!))) this.#held.push(rest.handle);
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
        if (!sentIds.has(item.entry.Id ?? "")) {
          this.#counts.failed++;
          this.#held.push(item.handle);
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

  /** Makes every held message visible again at once (what did not match, or was not sent). */
  async #releaseHeld(): Promise<void> {
    const { client, from } = this.#config;
    const handles = this.#held.splice(0);
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
