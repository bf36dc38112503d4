import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { checkOption } from "../errors.js";
import type { PayloadPutOptions, PayloadStore } from "../payloads/PayloadStore.js";
import { PayloadNotFoundError, PayloadStoreError } from "../payloads/payloadErrors.js";
import type { PayloadPointer } from "../payloads/payloadPointer.js";

/** Options of {@link S3PayloadStore}. */
export interface S3PayloadStoreOptions {
  /** The S3 client (region, credentials, endpoint; `forcePathStyle: true` for local emulators). */
  client: S3Client;
  /** Where new payloads go. Reads follow each pointer's own bucket. */
  bucket: string;
  /**
   * Prefix of new keys (each key is the prefix and a random UUID, as the extended clients name them); a
   * lifecycle rule can expire just this prefix.
   * @defaultValue `""`
   */
  keyPrefix?: string;
}

// A missing key is NoSuchKey, a wrong bucket NoSuchBucket. Without s3:ListBucket, S3 answers 403 for a missing
// key: that stays transient (it is also what a missing permission looks like), see docs/large-messages.md.
const NOT_FOUND = new Set(["NoSuchKey", "NoSuchBucket", "NotFound"]);

/** A {@link PayloadStore} on one S3 bucket: PutObject, GetObject, DeleteObject. */
export class S3PayloadStore implements PayloadStore {
  readonly #client: S3Client;
  /** The bucket new payloads go to. */
  readonly bucket: string;
  /** The prefix of new keys. */
  readonly keyPrefix: string;

  /** @throws InvalidOptionError when an option is invalid. */
  constructor(options: S3PayloadStoreOptions) {
    checkOption(typeof options === "object" && options !== null, "options", "an object", options);
    const { client, bucket, keyPrefix = "" } = options;
    checkOption(typeof client?.send === "function", "client", "an S3Client", client);
    checkOption(typeof bucket === "string" && bucket.length >= 3, "bucket", "a bucket name", bucket);
    checkOption(typeof keyPrefix === "string", "keyPrefix", "a string", keyPrefix);
    this.#client = client;
    this.bucket = bucket;
    this.keyPrefix = keyPrefix;
  }

  async put(bytes: Uint8Array, options: PayloadPutOptions = {}): Promise<PayloadPointer> {
    const pointer = { bucket: this.bucket, key: `${this.keyPrefix}${randomUUID()}` };
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: pointer.bucket,
          Key: pointer.key,
          Body: bytes,
          ContentLength: bytes.byteLength,
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      throw new PayloadStoreError("put", pointer, describe(error), { cause: error });
    }
    return pointer;
  }

  async get(pointer: PayloadPointer, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }), {
        abortSignal: options.signal,
      });
      if (out.Body === undefined) throw new Error("GetObject returned no body");
      return await out.Body.transformToByteArray();
    } catch (error) {
      if (NOT_FOUND.has((error as { name?: string }).name ?? "")) {
        throw new PayloadNotFoundError(pointer, describe(error), { cause: error });
      }
      throw new PayloadStoreError("get", pointer, describe(error), { cause: error });
    }
  }

  async delete(pointer: PayloadPointer): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    } catch (error) {
      if (NOT_FOUND.has((error as { name?: string }).name ?? "")) return;
      throw new PayloadStoreError("delete", pointer, describe(error), { cause: error });
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${error.name}${status === undefined ? "" : ` (HTTP ${status})`}: ${error.message}`;
}
