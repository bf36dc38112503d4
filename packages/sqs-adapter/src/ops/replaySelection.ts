/**
 * What `replayDeadLetters` knows of one dead letter, and the `where` filter over it: reason code and text,
 * attributes, age, receive count, and a predicate over the decoded body.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { type DeadLetterOrigin, readDeadLetterOrigin } from "@resilient-jobs/core";

/** One message of the dead-letter queue, as the filter and the transform see it. */
export interface DeadLetterCandidate {
  /** Its id in the dead-letter queue. */
  readonly id: string;
  /** The body as stored (for an offloaded message, the pointer; `payloads` resolves it for `where.body`). */
  readonly rawBody: string;
  /** Message attributes (string values; binary ones base64), reason attributes included. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Why a resilient-jobs worker dead-lettered it; `undefined` when the queue's RedrivePolicy moved it. */
  readonly origin: DeadLetterOrigin | undefined;
  /**
   * Receives before it was dead-lettered: the worker's count when it wrote one, else the DLQ's
   * ApproximateReceiveCount less this scan's receive.
   */
  readonly receiveCount: number;
  /** Epoch ms it entered the DLQ (SentTimestamp: for a RedrivePolicy move, its original send). */
  readonly sentAt: number;
  /** FIFO message group and deduplication id, when the DLQ is FIFO. */
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
}

/** Which dead letters to replay; every field given must match (AND). */
export interface ReplayWhere {
  /** Reason code(s) written by `SqsSource.deadLetter` (`PAYMENT_DECLINED`, `PAYLOAD_NOT_FOUND`, ...). */
  code?: string | readonly string[];
  /** A substring of (or a pattern over) the reason text. */
  reason?: string | RegExp;
  /** Message attributes that must have these values. */
  attributes?: Readonly<Record<string, string>>;
  /** Dead-lettered at most this long ago, in milliseconds. */
  newerThanMs?: number;
  /** Dead-lettered at least this long ago, in milliseconds. */
  olderThanMs?: number;
  /** Receive count at least this. */
  minReceiveCount?: number;
  /** Receive count at most this. */
  maxReceiveCount?: number;
  /**
   * A predicate over the decoded body (JSON, else the text; an offloaded body is resolved first when `payloads`
   * is given). A predicate that throws counts as no match.
   */
  body?: (body: unknown, message: DeadLetterCandidate) => boolean;
}

/** Reads a received DLQ message into a candidate. */
export function toCandidate(message: Message): DeadLetterCandidate {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    const text = value.StringValue ?? (value.BinaryValue ? Buffer.from(value.BinaryValue).toString("base64") : "");
    attributes[name] = text;
  }
  const system = message.Attributes ?? {};
  const origin = readDeadLetterOrigin(attributes);
  return {
    id: message.MessageId ?? "",
    rawBody: message.Body ?? "",
    attributes,
    origin,
    receiveCount: origin?.receiveCount ?? Math.max(0, Number(system.ApproximateReceiveCount ?? 1) - 1),
    sentAt: Number(system.SentTimestamp ?? 0),
    groupId: system.MessageGroupId,
    deduplicationId: system.MessageDeduplicationId,
  };
}

/** Whether a candidate matches everything but `where.body` (which needs the body decoded). */
export function matchesMetadata(where: ReplayWhere, candidate: DeadLetterCandidate, now: number): boolean {
  const code = candidate.origin?.reason.code;
  if (where.code !== undefined) {
    const codes = typeof where.code === "string" ? [where.code] : where.code;
    if (code === undefined || !codes.includes(code)) return false;
  }
  if (where.reason !== undefined) {
    const text = candidate.origin?.reason.message ?? "";
    if (typeof where.reason === "string" ? !text.includes(where.reason) : !where.reason.test(text)) return false;
  }
  for (const [name, value] of Object.entries(where.attributes ?? {})) {
    if (candidate.attributes[name] !== value) return false;
  }
  const age = now - candidate.sentAt;
  if (where.newerThanMs !== undefined && age > where.newerThanMs) return false;
  if (where.olderThanMs !== undefined && age < where.olderThanMs) return false;
  if (where.minReceiveCount !== undefined && candidate.receiveCount < where.minReceiveCount) return false;
  if (where.maxReceiveCount !== undefined && candidate.receiveCount > where.maxReceiveCount) return false;
  return true;
}

/** A body decoded for `where.body` and `transform`: JSON when it parses, else the text. */
export function decodeBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
