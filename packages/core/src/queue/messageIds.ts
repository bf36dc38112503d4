import { randomUUID } from "node:crypto";

/**
 * Message ids are UUID-shaped: a random prefix per process and a counter (a fresh
 * UUID per message costs more than the rest of a send). Unique across restarts, so
 * idempotency keys derived from ids never collide with an earlier run's.
 */
const ID_PREFIX = randomUUID().slice(0, 24);
let idSequence = 0;
/** Receipt handles are shared by every queue, so a handle from one receive never matches another receive. */
let receiptSequence = 0;

/** A new message id, unique in this process and (by its random prefix) across processes. */
export function nextMessageId(): string {
  idSequence += 1;
  return ID_PREFIX + idSequence.toString(16).padStart(12, "0");
}

/** A new receipt handle, unique in this process. */
export function nextReceiptHandle(): string {
  receiptSequence += 1;
  return `rh-${receiptSequence.toString(36)}`;
}
