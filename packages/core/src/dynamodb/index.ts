// @resilient-jobs/core/dynamodb: the DynamoDB idempotency store. Loads @aws-sdk/client-dynamodb.

export type {
  CreateIdempotencyTableOptions,
  CreateIdempotencyTableResult,
} from "./createIdempotencyTable.js";
export { createIdempotencyTable } from "./createIdempotencyTable.js";
export type { DynamoDBIdempotencyStoreOptions } from "./dynamoDBStoreOptions.js";
export { DynamoDBIdempotencyStore } from "./DynamoDBIdempotencyStore.js";
