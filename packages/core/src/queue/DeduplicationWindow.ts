import { createHash } from "node:crypto";
import { RingDeque } from "./RingDeque.js";

interface Seen {
  readonly deduplicationId: string;
  readonly messageId: string;
  readonly expiresAt: number;
}

/**
 * FIFO deduplication: a message sent with a deduplication id seen in the last
 * `windowMs` is accepted but not enqueued again, and the first message's id is
 * returned (SQS's 5-minute deduplication interval).
 */
export class DeduplicationWindow {
  readonly #byId = new Map<string, Seen>();
  /** The same records in expiry order: expiring them is O(1) amortised (a Map's oldest key is not). */
  readonly #byExpiry = new RingDeque<Seen>();
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** The id of the message already sent with `deduplicationId` inside the window, if any. */
  find(deduplicationId: string, now: number): string | undefined {
    this.#expire(now);
    return this.#byId.get(deduplicationId)?.messageId;
  }

  /** Remembers that `messageId` was sent with `deduplicationId` at `now`. */
  remember(deduplicationId: string, messageId: string, now: number): void {
    const seen: Seen = { deduplicationId, messageId, expiresAt: now + this.#windowMs };
    this.#byId.set(deduplicationId, seen);
    this.#byExpiry.push(seen);
  }

  #expire(now: number): void {
    for (let seen = this.#byExpiry.peek(); seen !== undefined && seen.expiresAt <= now; seen = this.#byExpiry.peek()) {
      this.#byExpiry.shift();
      if (this.#byId.get(seen.deduplicationId) === seen) this.#byId.delete(seen.deduplicationId);
    }
  }
}

/** SQS content-based deduplication: the SHA-256 of the body (attributes are not part of it). */
export function contentDeduplicationId(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}
