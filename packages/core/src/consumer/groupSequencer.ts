/**
 * FIFO order within a message group, for every FIFO `MessageSource`: at most one message of a group runs at a
 * time, in the order the source handed them out; messages of other groups (and messages without a group) are
 * not held back.
 *
 * Why the consumer and not the queue: SQS FIFO (and the in-memory queue) may return several messages of one
 * group in a single receive, in order, and lock the group until they are deleted or visible again. Started at
 * once they would run out of order. A later message of a group therefore waits, holding its slot and its
 * visibility (the heartbeat extends it), until the one before it succeeds.
 *
 * When a message of a group does not succeed (retried, dead-lettered, handed back, abandoned), the messages
 * received behind it are handed back unprocessed: the queue keeps the group locked while the failed one is
 * invisible, then hands the group out again from that message, so the order holds.
 *
 *   receive [A0 A1 A2 B0]     A0, B0 run; A1, A2 wait
 *   A0 succeeds               A1 runs
 *   A1 fails (retry in 2 s)   A2 handed back; B's messages keep flowing
 *   t = 2 s                   the queue hands out A1 again, then A2
 */
import type { Job } from "./job.js";

/** Per group, its messages in receive order; the first one is running, the rest wait. */
export class GroupSequencer {
  readonly #groups = new Map<string, Job[]>();

  /** Admits a received message: true when it may start now, false when it waits for its group. */
  admit(job: Job): boolean {
    const groupId = job.raw.groupId;
    if (groupId === undefined) return true;
    const jobs = this.#groups.get(groupId);
    if (jobs === undefined) {
      this.#groups.set(groupId, [job]);
      return true;
    }
    jobs.push(job);
    return false;
  }

  /**
   * A message settled. After a success the next message of its group (if any) may start; after anything
   * else every message received behind it must be handed back.
   */
  settled(job: Job, succeeded: boolean): { readonly next?: Job; readonly blocked?: readonly Job[] } {
    const groupId = job.raw.groupId;
    if (groupId === undefined) return NOTHING;
    const jobs = this.#groups.get(groupId);
    const index = jobs === undefined ? -1 : jobs.indexOf(job);
    if (jobs === undefined || index === -1) return NOTHING;
    const blocked = succeeded ? undefined : jobs.splice(index + 1);
    jobs.splice(index, 1);
    if (jobs.length === 0) this.#groups.delete(groupId);
    // Only the running (first) message's success lets the next one start; a waiting one never succeeds first.
    const next = succeeded && index === 0 ? jobs[0] : undefined;
    return { next, blocked };
  }

  /** Takes every waiting message out (the consumer is stopping): they are to be handed back. */
  takeWaiting(): Job[] {
    const waiting: Job[] = [];
    for (const jobs of this.#groups.values()) waiting.push(...jobs.splice(1));
    return waiting;
  }
}

const NOTHING = Object.freeze({});
