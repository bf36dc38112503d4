/** Telling apart what the chaos run finds in its dead-letter queues: poison, valid orders, anything else. */
import type { QueueName } from "../src/backends/Backend.js";
import { findPoisonMarker } from "./poison.js";

/** A message found in a dead-letter queue. */
export interface DeadLetterEntry {
  /** The queue whose DLQ it was in. */
  readonly queue: QueueName;
  /** The body as received (the SNS envelope). */
  readonly body: string;
  /** `deadLetterCode`, when the consumer dead-lettered it (absent after a redrive by maxReceiveCount). */
  readonly code: string | undefined;
  /** `deadLetterReason`. */
  readonly reason: string | undefined;
}

/** Dead letters told apart. */
export interface SortedDeadLetters {
  readonly poison: Map<string, DeadLetterEntry[]>;
  readonly valid: Array<DeadLetterEntry & { orderId: string }>;
  readonly unknown: DeadLetterEntry[];
}

/** Tells poison (by marker), valid orders (by order id) and anything else apart. */
export function sortDeadLetters(entries: readonly DeadLetterEntry[]): SortedDeadLetters {
  const sorted: SortedDeadLetters = { poison: new Map(), valid: [], unknown: [] };
  for (const entry of entries) {
    const text = publishedText(entry.body);
    const marker = findPoisonMarker(text);
    if (marker !== undefined) {
      const list = sorted.poison.get(marker) ?? [];
      list.push(entry);
      sorted.poison.set(marker, list);
      continue;
    }
    const orderId = orderIdOf(text);
    if (orderId !== undefined) sorted.valid.push({ ...entry, orderId });
    else sorted.unknown.push(entry);
  }
  return sorted;
}

/** The published message: the envelope's `Message`, or the body itself on raw delivery. */
function publishedText(body: string): string {
  try {
    const envelope = JSON.parse(body) as { Type?: unknown; Message?: unknown };
    if (envelope.Type === "Notification" && typeof envelope.Message === "string") return envelope.Message;
  } catch {
    // not JSON: the body is the message
  }
  return body;
}

function orderIdOf(text: string): string | undefined {
  try {
    const event = JSON.parse(text) as { orderId?: unknown };
    return typeof event.orderId === "string" ? event.orderId : undefined;
  } catch {
    return undefined;
  }
}
