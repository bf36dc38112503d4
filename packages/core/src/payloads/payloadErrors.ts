/** Errors of large-payload resolution: a missing object is permanent, a store that fails is transient. */
import { PermanentError, TransientError } from "../errors.js";
import type { PayloadPointer } from "./payloadPointer.js";

/**
 * The object a pointer names does not exist (deleted too early, a wrong bucket, an expired lifecycle rule).
 * Permanent: the message is dead-lettered with the bucket and key in its reason, and keeps its pointer, so it
 * can be replayed once the object is restored.
 */
export class PayloadNotFoundError extends PermanentError {
  override name = "PayloadNotFoundError";
  /** The bucket and key that were asked for. */
  readonly pointer: PayloadPointer;

  constructor(pointer: PayloadPointer, detail: string, options?: { cause?: unknown }) {
    super(`Offloaded payload s3://${pointer.bucket}/${pointer.key} not found: ${detail}`, options, "PAYLOAD_NOT_FOUND");
    this.pointer = pointer;
  }
}

/**
 * The payload store failed (throttling, a 5xx, a network error, access denied). Transient: the message is
 * retried with backoff, like any other dependency hiccup.
 */
export class PayloadStoreError extends TransientError {
  override name = "PayloadStoreError";
  /** What was being done: `get`, `put` or `delete`. */
  readonly operation: "get" | "put" | "delete";
  /** The object, when known. */
  readonly pointer: PayloadPointer | undefined;

  constructor(
    operation: "get" | "put" | "delete",
    pointer: PayloadPointer | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Payload store ${operation}${pointer ? ` of s3://${pointer.bucket}/${pointer.key}` : ""} failed: ${detail}`,
      options,
      "PAYLOAD_STORE",
    );
    this.operation = operation;
    this.pointer = pointer;
  }
}
