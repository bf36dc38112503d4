import { createLargePayloads, type LargePayloads, type LargePayloadsOptions } from "../payloads/largePayloads.js";
import { S3PayloadStore, type S3PayloadStoreOptions } from "./S3PayloadStore.js";

/** Options of {@link s3Payloads}: the bucket and client, and how to offload. */
export interface S3PayloadsOptions extends S3PayloadStoreOptions, LargePayloadsOptions {}

/**
 * Large payloads in S3, in the format of AWS's extended clients (Java, Python): pass the result as `payloads`
 * to the publishers, `createSqsConsumer`, `sqsHandler` and `snsHandler`.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { s3Payloads } from "@resilient-jobs/core/s3";
 *
 * const payloads = s3Payloads({ client: new S3Client({}), bucket: "orders-payloads" });
 * export const handler = sqsHandler(handleOrder, { payloads });
 * ```
 * @throws InvalidOptionError when an option is invalid.
 */
export function s3Payloads(options: S3PayloadsOptions): LargePayloads {
  const { client, bucket, keyPrefix, ...rest } = options ?? ({} as S3PayloadsOptions);
  return createLargePayloads(
    new S3PayloadStore({ client, bucket, ...(keyPrefix === undefined ? {} : { keyPrefix }) }),
    rest,
  );
}
