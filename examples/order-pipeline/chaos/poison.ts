/**
 * Poison orders: `order.placed` events no worker can process, published straight to the orders topic (the
 * API would refuse them, so they stand for a buggy or outdated publisher). Each carries a `poison:<n>` marker
 * in its text, so the reconciler can find every one of them in the dead-letter queues, whatever is broken.
 */

/** How a poison message is broken. */
export type PoisonKind = "not-json" | "wrong-schema" | "wrong-type" | "oversize";

/** Every kind, used in turn. */
export const POISON_KINDS: readonly PoisonKind[] = Object.freeze([
  "not-json",
  "wrong-schema",
  "wrong-type",
  "oversize",
]);

/** One poison message. */
export interface PoisonMessage {
  /** `poison:<n>` */
  readonly marker: string;
  readonly kind: PoisonKind;
  /** What is published to the topic. */
  readonly body: string;
}

/** The dead-letter code each kind must get from the consumer (the decoder's error codes). */
export const EXPECTED_POISON_CODE: Readonly<Record<PoisonKind, string>> = Object.freeze({
  "not-json": "DECODE_FAILED",
  "wrong-schema": "VALIDATION_FAILED",
  "wrong-type": "VALIDATION_FAILED",
  oversize: "VALIDATION_FAILED",
});

const MARKER = /poison:(\d+)/;

/** Builds poison message `n` (kinds rotate). */
export function poisonMessage(n: number): PoisonMessage {
  const marker = `poison:${n}`;
  const kind = POISON_KINDS[n % POISON_KINDS.length]!;
  const order = {
    customerId: marker,
    items: [{ sku: "POISON", quantity: 1, unitPriceCents: 100 }],
    currency: "USD",
  };
  const valid = {
    type: "order.placed",
    orderId: "00000000-0000-4000-8000-000000000000",
    placedAt: new Date(0).toISOString(),
    totalCents: 100,
    order,
  };
  switch (kind) {
    case "not-json":
      return { marker, kind, body: `{"type":"order.placed","customerId":"${marker}",` };
    case "wrong-schema":
      return { marker, kind, body: JSON.stringify({ ...valid, orderId: marker, totalCents: -1 }) };
    case "wrong-type":
      return { marker, kind, body: JSON.stringify({ ...valid, type: "order.cancelled" }) };
    case "oversize":
      // Under SNS's 256 KiB but far over what the schema allows in a field.
      return { marker, kind, body: JSON.stringify({ ...valid, order: { ...order, note: "x".repeat(200_000) } }) };
  }
}

/** The poison number found in a message's text, if any. */
export function findPoisonMarker(text: string): string | undefined {
  const match = MARKER.exec(text);
  return match ? match[0] : undefined;
}
