/** In-flight count of one message group (a tenant on a fair queue), as `InMemoryQueue.stats()` reports it. */
export interface GroupInFlight {
  readonly groupId: string;
  /** Its messages received and not yet deleted or visible again. */
  readonly inFlight: number;
  /** Whether its messages are served after the other groups' now (fair queue noisy neighbour; never on FIFO). */
  readonly noisy: boolean;
}

/** How many groups `InMemoryQueueStats.inFlightByGroup` lists at most. */
export const MAX_GROUPS_IN_STATS = 10;

/** Counts of an `InMemoryQueue`, as SQS's ApproximateNumberOfMessages* and age metrics. */
export interface InMemoryQueueStats {
  /** Messages that can be received (FIFO: including those behind a locked group). */
  visible: number;
  /** Received messages not yet acked whose visibility timeout has not passed. */
  inFlight: number;
  /** Sent with a delay that has not ended. */
  delayed: number;
  /** Milliseconds since the oldest message still held entered the queue; undefined when empty. */
  oldestAgeMs: number | undefined;
  /** Messages this queue has moved to its dead-letter queue since it was created. */
  deadLettered: number;
  /**
   * Message groups with at least one message in flight (on FIFO queues, CloudWatch's
   * ApproximateNumberOfGroupsWithInflightMessages). Messages without a group are not counted.
   */
  groupsWithInFlight: number;
  /**
   * Standard (fair) queue: groups whose messages are served after the other groups' now, see
   * docs/fair-queues.md (CloudWatch's ApproximateNumberOfNoisyGroups on SQS). Always 0 on FIFO queues.
   */
  noisyGroups: number;
  /**
   * The groups with most messages in flight, most first, at most 10 (the rest are counted in
   * `groupsWithInFlight`). SQS has no API for per-group counts; this is the in-memory queue's own view.
   */
  inFlightByGroup: GroupInFlight[];
}
