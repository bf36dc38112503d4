import type { GroupInFlight } from "./inMemoryQueueStats.js";
import type { QueueEntry } from "./QueueEntry.js";
import { RingDeque } from "./RingDeque.js";

/** Message groups with messages in flight, for stats (bounded: the busiest `limit` groups only). */
export interface GroupCounts {
  /** Groups with at least one message in flight. */
  readonly withInFlight: number;
  /** Groups served after the others now (fair queues); always 0 on FIFO queues. */
  readonly noisy: number;
  /** The groups with the most messages in flight, most first, at most `limit`. */
  readonly busiest: GroupInFlight[];
}

/**
 * The order in which visible messages are handed out, and (FIFO) which ones
 * may be handed out at all. The queue owns message states; an order only
 * keeps its own links. Every operation is O(1) amortised.
 */
export interface ReadyOrder {
  /** A message became visible for the first time (sent, or its delay ended). */
  add(entry: QueueEntry): void;
  /** An in-flight message became visible again (its visibility timeout passed, or it was handed back). */
  release(entry: QueueEntry): void;
  /** The next message to hand out, now counted as taken; undefined when none may be. Call endReceive() after a receive. */
  take(): QueueEntry | undefined;
  /** A message left the queue (deleted, dead-lettered); `wasInFlight` says whether it was taken. */
  remove(entry: QueueEntry, wasInFlight: boolean): void;
  /** The receive that called take() is complete. */
  endReceive(): void;
  /** Per-group in-flight counts. O(groups with work): for stats, not for hot paths. */
  groupCounts(limit: number): GroupCounts;
}

/** The `limit` groups with most in flight, most first (ties by group id, so the output is stable). */
export function busiestGroups(groups: GroupInFlight[], limit: number): GroupInFlight[] {
  groups.sort((a, b) => b.inFlight - a.inFlight || (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  return groups.slice(0, limit);
}

interface MessageGroup {
  readonly id: string;
  /** Undeleted messages in send order, taken ones first. */
  head: QueueEntry | undefined;
  tail: QueueEntry | undefined;
  /** Taken messages not yet deleted or visible again: while any, the group is locked (SQS FIFO). */
  taken: number;
  /** Whether the group sits in the list of groups ready to hand out. */
  queued: boolean;
}

/**
 * FIFO queue: strict order within a message group, and a group is locked while
 * any of its messages is in flight. One receive may take several messages of a
 * group, in order (as AWS does), then moves on to other groups.
 */
export function createFifoOrder(): ReadyOrder {
  const groups = new Map<string, MessageGroup>();
  const unlocked = new RingDeque<MessageGroup>(64);
  let current: MessageGroup | undefined;
  let cursor: QueueEntry | undefined;

  const groupOf = (entry: QueueEntry) => groups.get(entry.groupId as string) as MessageGroup;

  function offer(group: MessageGroup): void {
    if (group === current || group.queued || group.taken > 0 || group.head === undefined) return;
    group.queued = true;
    unlocked.push(group);
  }

  function dropIfEmpty(group: MessageGroup): void {
    if (group !== current && group.head === undefined) groups.delete(group.id);
  }

  return {
    add(entry) {
      const id = entry.groupId as string;
      let group = groups.get(id);
      if (group === undefined) {
        group = { id, head: undefined, tail: undefined, taken: 0, queued: false };
        groups.set(id, group);
      }
      entry.prev = group.tail;
      entry.next = undefined;
      if (group.tail === undefined) group.head = entry;
      else group.tail.next = entry;
      group.tail = entry;
      offer(group);
    },
    release(entry) {
      // The message keeps its place in the group: it is still older than the ones behind it.
      const group = groupOf(entry);
      group.taken -= 1;
      offer(group);
    },
    take() {
      if (current !== undefined && cursor !== undefined) {
        const entry = cursor;
        cursor = entry.next;
        current.taken += 1;
        return entry;
      }
      for (let group = unlocked.shift(); group !== undefined; group = unlocked.shift()) {
        group.queued = false;
        // A queued group may since have been emptied (and replaced in the map) or locked.
        if (group.taken > 0 || group.head === undefined || groups.get(group.id) !== group) continue;
        if (current !== undefined) {
          const previous = current;
          current = undefined;
          offer(previous);
          dropIfEmpty(previous);
        }
        current = group;
        const entry = group.head;
        cursor = entry.next;
        group.taken += 1;
        return entry;
      }
      return undefined;
    },
    remove(entry, wasInFlight) {
      const group = groupOf(entry);
      if (cursor === entry) cursor = entry.next;
      if (entry.prev === undefined) group.head = entry.next;
      else entry.prev.next = entry.next;
      if (entry.next === undefined) group.tail = entry.prev;
      else entry.next.prev = entry.prev;
      entry.prev = undefined;
      entry.next = undefined;
      if (wasInFlight) group.taken -= 1;
      offer(group);
      dropIfEmpty(group);
    },
    groupCounts(limit) {
      const busy: GroupInFlight[] = [];
      for (const group of groups.values()) {
        if (group.taken > 0) busy.push({ groupId: group.id, inFlight: group.taken, noisy: false });
      }
      return { withInFlight: busy.length, noisy: 0, busiest: busiestGroups(busy, limit) };
    },
    endReceive() {
      if (current === undefined) return;
      const group = current;
      current = undefined;
      cursor = undefined;
      offer(group);
      dropIfEmpty(group);
    },
  };
}
