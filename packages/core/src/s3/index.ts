// @resilient-jobs/core/s3: large payloads in S3. Loads @aws-sdk/client-s3 (an optional peer dependency).

export type { S3PayloadStoreOptions } from "./S3PayloadStore.js";
export { S3PayloadStore } from "./S3PayloadStore.js";
export type { S3PayloadsOptions } from "./s3Payloads.js";
export { s3Payloads } from "./s3Payloads.js";
