// The consumer's default correlation attributes, read the same way (`messaging.message.conversation_id`).
const CORRELATION_ATTRIBUTES = ["correlationId", "correlation-id", "x-correlation-id"] as const;

/** The first correlation attribute present, as the consumer's default `correlationId` option reads it. */
export function correlationIdOf(attributes: Readonly<Record<string, string>>): string | undefined {
  for (const name of CORRELATION_ATTRIBUTES) {
    const value = attributes[name];
    if (value !== undefined) return value;
  }
  return undefined;
}
