import type { ContextCarrier } from "./carriers.js";

// The consumer's default correlation attributes, read the same way (`messaging.message.conversation_id`).
const CORRELATION_ATTRIBUTES = ["correlationId", "correlation-id", "x-correlation-id"] as const;

/**
 * The first correlation attribute present, as the consumer's default `correlationId` option reads it: the
 * message's attributes, then (a message that came through SNS without raw delivery) the envelope's.
 */
export function correlationIdOf(carrier: ContextCarrier): string | undefined {
  return firstOf(carrier.attributes) ?? (carrier.sns === undefined ? undefined : firstOf(carrier.sns.attributes));
}

function firstOf(attributes: Readonly<Record<string, string>>): string | undefined {
  for (const name of CORRELATION_ATTRIBUTES) {
    const value = attributes[name];
    if (value !== undefined) return value;
  }
  return undefined;
}
