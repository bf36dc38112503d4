/**
 * The simulator's event log: one plain object per event, in the order they happened, with virtual time and the
 * simulator's own message names (never queue ids or receipt handles, which differ between runs), so the log of
 * a seed is the same byte for byte on every replay.
 */

/** What happened. `started` (a handler began) is logged on FIFO queues only, where start order is the point. */
export type SimEventType =
  | "sent"
  | "received"
  | "duplicated"
  | "started"
  | "effect"
  | "succeeded"
  | "failed"
  | "retried"
  | "handedBack"
  | "paused"
  | "resumed"
  | "acked"
  | "ackFailed"
  | "deadLettered"
  | "visibilityExpired"
  | "receiveFailed"
  | "crashed"
  | "restarted"
  | "outageStarted"
  | "outageEnded"
  | "clockJumped"
  | "stopped";

/** One event of a simulation. Fields other than `at` and `type` are present only where they apply. */
export interface SimEvent {
  /** Virtual milliseconds since the start. */
  readonly at: number;
  readonly type: SimEventType;
  /** The process (consumer incarnation) it happened in: 1, then 2 after the first crash, ... */
  readonly process?: number;
  /** The simulator's message id. */
  readonly message?: string;
  /** Which delivery of the message (1 = the first receive of any of its copies). */
  readonly delivery?: number;
  /** Effect key. */
  readonly key?: string;
  /** False for an effect recorded by a process that had already crashed: it does not count. */
  readonly counted?: boolean;
  /** A short detail: the error's name, the failure action, a delay. */
  readonly detail?: string;
}

/** Appends events with a fixed key order, so serialising them is stable. */
export class EventTrace {
  readonly events: SimEvent[] = [];
  readonly #elapsed: () => number;

  constructor(elapsed: () => number) {
    this.#elapsed = elapsed;
  }

  add(type: SimEventType, fields: Omit<SimEvent, "at" | "type"> = {}): void {
    const event: Record<string, unknown> = { at: this.#elapsed(), type };
    for (const name of ["process", "message", "delivery", "key", "counted", "detail"] as const) {
      if (fields[name] !== undefined) event[name] = fields[name];
    }
    this.events.push(event as unknown as SimEvent);
  }
}

/** The log as JSON lines: the byte-for-byte comparable form of a run. */
export function serializeEvents(events: readonly SimEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join("\n");
}

/** One event as a line a person reads: `+12.345s  p1  m-0003  received  delivery 2`. */
export function formatEvent(event: SimEvent): string {
  const seconds = `+${(event.at / 1000).toFixed(3)}s`.padStart(12);
  const parts = [seconds, event.process === undefined ? "  " : `p${event.process}`, event.type.padEnd(17)];
  if (event.message !== undefined) parts.push(event.message);
  if (event.delivery !== undefined) parts.push(`delivery ${event.delivery}`);
  if (event.key !== undefined) parts.push(`key ${event.key}`);
  if (event.counted === false) parts.push("(after the crash: not counted)");
  if (event.detail !== undefined) parts.push(event.detail);
  return parts.join("  ");
}
