/**
 * Per-key scheduling: which received message may start, by a key of the message. One mechanism for two rules
 * of the consumer, for every source:
 *
 * - **FIFO group order** (a FIFO source): key = the message group, at most one in flight per group, and a
 *   message over that waits in its slot, in the order received (the heartbeat keeps it invisible). SQS FIFO and
 *   the in-memory queue may return several messages of one group in one receive and lock the group until they
 *   are deleted or visible again: started at once they would run out of order. When a message does not succeed
 *   (retried, dead-lettered, handed back, abandoned), those received behind it are handed back unprocessed; the
 *   queue keeps the group locked while the failed one is invisible, then hands the group out again from it.
 *
 *     receive [A0 A1 A2 B0]     A0, B0 run; A1, A2 wait
 *     A0 succeeds               A1 runs
 *     A1 fails (retry in 2 s)   A2 handed back; B's messages keep flowing
 *     t = 2 s                   the queue hands out A1 again, then A2
 *
 * - **Fairness** (`fairness` option): key = the caller's (a tenant id), at most `maxInFlightPerKey` in flight per
 *   key, and a message over that goes back to the queue after a short delay, so one noisy tenant cannot hold
 *   every slot while others wait.
 */
import type { Job } from "./job.js";

/** The rule a scheduler applies. */
export interface KeyRule {
  /** The message's key; undefined: not limited. Called once per message. */
  readonly key: (job: Job) => string | undefined;
  /** Most messages of one key in flight. */
  readonly capacity: number;
  /** A message over capacity waits in order (FIFO groups) or is refused (fairness: handed back). */
  readonly overflow: "wait" | "refuse";
}

/** What admitting a received message decided. */
export type Admission = "start" | "wait" | "refuse";

/** One key's messages: those running, then those waiting in receive order. */
interface KeyState {
  running: number;
  readonly waiting: Job[];
}

/** See the module comment. */
export class KeyScheduler {
  readonly #rule: KeyRule;
  readonly #keys = new Map<string, KeyState>();
  /** The key each admitted job was counted under (a caller's key function is called once per message). */
  readonly #keyOf = new Map<Job, string>();

  constructor(rule: KeyRule) {
    this.#rule = rule;
  }

  /**
   * Decides whether a received message starts now, waits behind its key, or is refused. A key function that
   * throws (a caller's `fairness.key` on a body it did not expect) leaves the message unlimited: failing here
   * would strand it and the rest of its receive, invisible until their visibility timeout.
   */
  admit(job: Job): Admission {
    let key: string | undefined;
    try {
      key = this.#rule.key(job);
    } catch {
      return "start";
    }
    if (key === undefined) return "start";
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = { running: 0, waiting: [] };
      this.#keys.set(key, state);
    }
    let admission: Admission;
    if (state.running < this.#rule.capacity) {
      state.running++;
      admission = "start";
    } else if (this.#rule.overflow === "wait") {
      state.waiting.push(job);
      admission = "wait";
    } else {
      return "refuse"; // capacity >= 1, so a key over it has messages running: its state stays
    }
    this.#keyOf.set(job, key);
    return admission;
  }

  /**
   * A message admitted here settled. After a success the next waiting message of its key (if any) may start;
   * after anything else, the messages waiting behind it must be handed back (their order depends on it).
   */
  settled(job: Job, succeeded: boolean): { readonly next?: Job; readonly blocked?: readonly Job[] } {
    const key = this.#keyOf.get(job);
    if (key === undefined) return NOTHING;
    this.#keyOf.delete(job);
    const state = this.#keys.get(key)!;
    const index = state.waiting.indexOf(job);
    let blocked: Job[] | undefined;
    if (index === -1) {
      state.running--;
      if (!succeeded && state.waiting.length > 0) blocked = state.waiting.splice(0);
    } else {
      // A waiting message expired (drain deadline, lost visibility): those behind it cannot keep their order.
      blocked = state.waiting.splice(index + 1);
      state.waiting.splice(index, 1);
    }
    for (const behind of blocked ?? []) this.#keyOf.delete(behind);
    let next: Job | undefined;
    if (state.running < this.#rule.capacity && state.waiting.length > 0) {
      next = state.waiting.shift();
      state.running++;
    }
    if (state.running === 0 && state.waiting.length === 0) this.#keys.delete(key);
    return { next, blocked };
  }

  /** Takes every waiting message out (the consumer is stopping): they are to be handed back. */
  takeWaiting(): Job[] {
    const waiting: Job[] = [];
    for (const [key, state] of this.#keys) {
      for (const job of state.waiting.splice(0)) {
        this.#keyOf.delete(job);
        waiting.push(job);
      }
      if (state.running === 0) this.#keys.delete(key);
    }
    return waiting;
  }
}

const NOTHING = Object.freeze({});
