import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { IdempotencyRecord } from "../idempotency/IdempotencyStore.js";
import { IdempotencyStoreError, type IdempotencyStoreOperation } from "../idempotency/storeErrors.js";

/** The attribute names of one idempotency table. */
export interface RecordAttributeNames {
  readonly key: string;
  readonly expiry: string;
  readonly inProgressExpiry: string;
  readonly inProgressStart: string;
  readonly status: string;
  readonly payloadHash: string;
  readonly result: string;
}

/** A DynamoDB item, as the low-level client speaks it. */
export type Item = Record<string, AttributeValue>;

/**
 * The item for a record. `expiresAt` is stored in epoch seconds, rounded up, because that is what
 * DynamoDB TTL reads; the in-progress lease keeps milliseconds (a Lambda's remaining time is that fine).
 */
export function recordToItem(record: IdempotencyRecord, names: RecordAttributeNames): Item {
  const item: Item = {
    [names.key]: { S: record.key },
    [names.status]: { S: record.status },
    [names.expiry]: { N: String(toEpochSeconds(record.expiresAt)) },
  };
  if (record.inProgressExpiresAt !== undefined)
    item[names.inProgressExpiry] = { N: String(record.inProgressExpiresAt) };
  if (record.inProgressStartedAt !== undefined) item[names.inProgressStart] = { N: String(record.inProgressStartedAt) };
  if (record.payloadHash !== undefined) item[names.payloadHash] = { S: record.payloadHash };
  if (record.result !== undefined) item[names.result] = { S: record.result };
  return item;
}

/**
 * The record an item holds. Throws `IdempotencyStoreError` for an item this store did not write; `where` names
 * the table and region in that message (`table "idempotency" in us-east-1`).
 */
export function itemToRecord(
  item: Item,
  names: RecordAttributeNames,
  operation: IdempotencyStoreOperation,
  where: string,
): IdempotencyRecord {
  const key = item[names.key]?.S;
  const status = item[names.status]?.S;
  const expirySeconds = Number(item[names.expiry]?.N);
  if (key === undefined || (status !== "IN_PROGRESS" && status !== "COMPLETED") || !Number.isFinite(expirySeconds)) {
    throw new IdempotencyStoreError(
      operation,
      `DynamoDB item ${describeItemKey(key)} in ${where} is not an idempotency record: it needs a string \`${names.status}\` ("IN_PROGRESS" or "COMPLETED") and a number \`${names.expiry}\`; check that the table is used by this store only and that the attribute names match`,
    );
  }
  const record: IdempotencyRecord = { key, status, expiresAt: expirySeconds * 1000 };
  const inProgressExpiry = item[names.inProgressExpiry]?.N;
  if (inProgressExpiry !== undefined) record.inProgressExpiresAt = Number(inProgressExpiry);
  const inProgressStart = item[names.inProgressStart]?.N;
  if (inProgressStart !== undefined) record.inProgressStartedAt = Number(inProgressStart);
  const payloadHash = item[names.payloadHash]?.S;
  if (payloadHash !== undefined) record.payloadHash = payloadHash;
  const result = item[names.result]?.S;
  if (result !== undefined) record.result = result;
  return record;
}

/** Epoch milliseconds to the whole epoch seconds DynamoDB TTL reads, rounded up so a record never expires early. */
export function toEpochSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}

function describeItemKey(key: string | undefined): string {
  return key === undefined ? "without a string key" : JSON.stringify(key);
}
