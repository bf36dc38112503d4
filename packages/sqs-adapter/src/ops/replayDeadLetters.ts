import type { SQSClient } from "@aws-sdk/client-sqs";
import { InvalidOptionError, type LargePayloads } from "@resilient-jobs/core";
import { queueAttributes } from "./queueRefs.js";
import { soleSourceQueue } from "./redriveDeadLetters.js";
import { ReplayRun } from "./replayRun.js";
import type { DeadLetterCandidate, ReplayWhere } from "./replaySelection.js";

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
   * attributes: with `payloads`, the new body is offloaded again when it does not fit. It may be async. A
   * transform that throws or rejects, or returns what JSON cannot carry (`undefined`, a BigInt, a cycle), fails
   * that message only: it is not sent and stays in the DLQ (counted in `failed`).
   * @defaultValue the body unchanged (an offloaded body's pointer and attributes are carried as they are)
   */
  transform?: (body: unknown, message: DeadLetterCandidate) => unknown | Promise<unknown>;
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
  /**
   * Matched but not sent (a send failure, a body too large, a transform that failed, an offloaded body that
   * could not be resolved or offloaded again): still in `from`, visible again.
   */
  readonly failed: number;
  /** Matching messages by reason code (`(none)`: moved by a RedrivePolicy, no reason). */
  readonly byReason: Readonly<Record<string, number>>;
  readonly freshDeduplicationIds: number;
  /** Matching messages (a dry run's listing; in a replay, those moved), at most 1,000. */
  readonly messages: readonly ReplayedMessage[];
  readonly stoppedBecause?: string;
  /**
   * Things the operator should know (a DLQ whose own RedrivePolicy a scan's receives count toward; a FIFO DLQ
   * where messages that did not match kept their groups locked, so what was behind them was not scanned).
   */
  readonly warnings: readonly string[];
}

const DEFAULTS = Object.freeze({ visibilityTimeoutSeconds: 120 });
/** The clock a replay paces with unless given one: `sleep` returns at once when the signal has already fired. */
export const realClock: ReplayClock = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
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

/** The resolved options of a replay. */
export type ReplayConfig = Readonly<
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
