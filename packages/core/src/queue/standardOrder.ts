import type { GroupInFlight } from "./inMemoryQueueStats.js";
import type { QueueEntry } from "./QueueEntry.js";
import { RingDeque } from "./RingDeque.js";
import { busiestGroups, type ReadyOrder } from "./readyOrder.js";

/**
 * SQS fair queues' concurrency-share rule: a tenant (message group) is a noisy neighbour while it holds
 * more than 10% of the queue's in-flight messages and at least 30 of its own.
 * Source: "How Amazon SQS fair queues work", Amazon SQS Developer Guide,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html
 */
export const NOISY_SHARE_OF_IN_FLIGHT = 0.1;
/** The second half of the rule above: a noisy group has at least this many messages in flight. */
export const NOISY_MIN_IN_FLIGHT = 30;

interface TenantGroup {
  readonly id: string;
  /** Its taken messages not yet deleted or visible again. */
  inFlight: number;
  /**
   * Visible messages that reached the head of the ready list while the group was noisy, in that order;
   * created on first use (most groups are never noisy, and a group lives only while it has work).
   */
  held: RingDeque<QueueEntry> | undefined;
  /** Whether the group is in `holding`. */
  holding: boolean;
}

/**
 * Standard queue: messages in the order they became visible (SQS promises best-effort order only), with
 * SQS fair queues' scheduling for messages sent with a group id (MessageGroupId on a standard queue).
 *
 * What the service documents (page cited above, and "Amazon SQS fair queues" in the same guide):
 * - a group is noisy by its concurrency share (above) or by its share of recent consumer processing
 *   time (> 10%); the thresholds are approximate;
 * - while a group is noisy, receives return quiet groups' messages whenever any are waiting; noisy
 *   messages are not dropped or throttled, only served later, and served as usual when nothing else waits;
 * - among several noisy groups, the one with the fewest messages in flight is served first;
 * - a message without a group id is its own tenant (so it is never noisy);
 * - nothing else changes: order stays best-effort, and the API reports no per-group counts (only the
 *   CloudWatch metrics ApproximateNumberOfNoisyGroups and Approximate*InQuietGroups do).
 *
 * What this models: the concurrency-share rule, evaluated at every take with no memory (a group is noisy
 * exactly while it is over the threshold; SQS keeps it noisy until its backlog is consumed or it had nothing
 * in flight for 5 minutes). The processing-time measure is not modelled, so groups with fewer than 30 in
 * flight are never reordered here.
 *
 * How: one ready list in arrival order, as before. A message of a noisy group that reaches the head is
 * moved to its group's `held` list instead of being handed out. Held messages of groups that turned quiet
 * go first (they reached the head before anything now in the list); then the ready list; then, with
 * nothing else left, the noisy group with the fewest in flight. A message is moved at most once per time it
 * becomes visible, so take() is O(1) amortised plus O(groups holding messages), which the 10% share rule
 * keeps small (at most 10 groups are noisy at once). Without group ids the held lists stay empty.
 */
export function createStandardOrder(): ReadyOrder {
  const ready = new RingDeque<QueueEntry>(1024);
  const groups = new Map<string, TenantGroup>();
  /** Groups with held messages, in the order they first held one. */
  const holding: TenantGroup[] = [];
  /** Every taken message not yet deleted or visible again, with or without a group (the share's denominator). */
  let inFlight = 0;

  const isNoisy = (group: TenantGroup) =>
    group.inFlight >= NOISY_MIN_IN_FLIGHT && group.inFlight > inFlight * NOISY_SHARE_OF_IN_FLIGHT;

  function hand(entry: QueueEntry): QueueEntry {
    inFlight += 1;
    const id = entry.groupId;
    if (id !== undefined) {
      let group = groups.get(id);
      if (group === undefined) {
        group = { id, inFlight: 0, held: undefined, holding: false };
        groups.set(id, group);
      }
      group.inFlight += 1;
    }
    return entry;
  }

  function untake(entry: QueueEntry): void {
    inFlight -= 1;
    const id = entry.groupId;
    if (id === undefined) return;
    const group = groups.get(id) as TenantGroup;
    group.inFlight -= 1;
    if (group.inFlight === 0 && !group.holding) groups.delete(id);
  }

  function hold(group: TenantGroup, entry: QueueEntry): void {
    group.held ??= new RingDeque<QueueEntry>(64);
    group.held.push(entry);
    if (!group.holding) {
      group.holding = true;
      holding.push(group);
    }
  }

  /** The group's oldest held message still visible; drops the group from `holding` when none is left. */
  function heldHead(group: TenantGroup, index: number): QueueEntry | undefined {
    const held = group.held as RingDeque<QueueEntry>;
    // A held message deleted since (acked late with its last handle) is skipped here, as in the ready list.
    while (held.length > 0 && (held.peek() as QueueEntry).state !== "visible") held.shift();
    const head = held.peek();
    if (head === undefined) {
      holding.splice(index, 1);
      group.holding = false;
      if (group.inFlight === 0) groups.delete(group.id);
    }
    return head;
  }

  /** `quiet`: the first holding group that is quiet now; otherwise the noisy one with the fewest in flight. */
  function takeHeld(quiet: boolean): QueueEntry | undefined {
    let best: TenantGroup | undefined;
    // Backwards, so dropping a group from `holding` keeps the indexes still to visit; `<=` and the
    // overwrite leave the earliest holder among equals.
    for (let i = holding.length - 1; i >= 0; i -= 1) {
      const group = holding[i] as TenantGroup;
      if (heldHead(group, i) === undefined) continue;
      if (quiet ? !isNoisy(group) : best === undefined || group.inFlight <= best.inFlight) best = group;
    }
    return best === undefined ? undefined : hand((best.held as RingDeque<QueueEntry>).shift() as QueueEntry);
  }

  return {
    add: (entry) => ready.push(entry),
    release(entry) {
      untake(entry);
      ready.push(entry);
    },
    take() {
      if (holding.length > 0) {
        const entry = takeHeld(true);
        if (entry !== undefined) return entry;
      }
      // A message deleted while visible (acked after its timeout, before anyone received it) stays in
      // the list until it reaches the head; skipping it there keeps remove() O(1).
      for (let entry = ready.shift(); entry !== undefined; entry = ready.shift()) {
        if (entry.state !== "visible") continue;
        const group = entry.groupId === undefined ? undefined : groups.get(entry.groupId);
        if (group !== undefined && isNoisy(group)) hold(group, entry);
        else return hand(entry);
      }
      return holding.length > 0 ? takeHeld(false) : undefined;
    },
    remove(entry, wasInFlight) {
      if (wasInFlight) untake(entry);
    },
    endReceive() {},
    groupCounts(limit) {
      const busy: GroupInFlight[] = [];
      let noisy = 0;
      for (const group of groups.values()) {
        if (group.inFlight === 0) continue;
        const isGroupNoisy = isNoisy(group);
        if (isGroupNoisy) noisy += 1;
        busy.push({ groupId: group.id, inFlight: group.inFlight, noisy: isGroupNoisy });
      }
      return { withInFlight: busy.length, noisy, busiest: busiestGroups(busy, limit) };
    },
  };
}
