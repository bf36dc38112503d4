/**
 * Where offloaded bodies live. Four small primitives, so a store is a page of code: the S3 one is on
 * `@resilient-jobs/core/s3`; tests and other backends implement the same interface.
 */
import type { PayloadPointer } from "./payloadPointer.js";

/** Options of {@link PayloadStore.put}. */
export interface PayloadPutOptions {
  /** Aborts the upload. */
  signal?: AbortSignal;
}

/** A place to put, get and delete payloads. */
export interface PayloadStore {
  /** Stores `bytes` under a new key and returns where. Throws `PayloadStoreError` when the store fails. */
  put(bytes: Uint8Array, options?: PayloadPutOptions): Promise<PayloadPointer>;
  /**
   * Reads the object a pointer names (any bucket the credentials can read, so pointers written by other
   * producers resolve too). Throws `PayloadNotFoundError` when it does not exist, `PayloadStoreError` when
   * the store fails.
   */
  get(pointer: PayloadPointer, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Deletes the object; a missing object is not an error. */
  delete(pointer: PayloadPointer): Promise<void>;
}
