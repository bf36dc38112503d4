import { DescribeTableCommand, type DynamoDBClient, type TableDescription } from "@aws-sdk/client-dynamodb";
import { IdempotencyStoreError, IdempotencyStoreUnavailableError } from "../idempotency/storeErrors.js";
import { storeErrorFromDynamo } from "./storeErrorFromDynamo.js";
import { describeRegion, describeTableLocation } from "./tableLocation.js";

/** Statuses in which the table takes reads and writes (UPDATING: a capacity or index change in progress). */
const USABLE_STATUSES = new Set(["ACTIVE", "UPDATING"]);

/** Statuses that end by themselves: the table will be usable, so the check is worth retrying. */
const PASSING_STATUSES = new Set(["CREATING"]);

/** How to fix a table that is not there, or not where the client looks. */
const CREATE_OR_FIX = "create it with createIdempotencyTable() or fix tableName/region";

/**
 * Verifies, with one `DescribeTable`, that the store's table exists where the client looks, takes reads and
 * writes, and is keyed the way the store writes items (a string partition key `keyAttribute`, no sort key).
 * Rejects with an `IdempotencyStoreError` naming the table, the region and the fix; with the transient
 * `IdempotencyStoreUnavailableError` when DynamoDB could not be reached or the table is still being created.
 */
export async function checkIdempotencyTable(
  client: DynamoDBClient,
  tableName: string,
  keyAttribute: string,
): Promise<void> {
  let table: TableDescription | undefined;
  try {
    ({ Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName })));
  } catch (err) {
    throw await describeFailure(client, tableName, err);
  }
  const location = await describeTableLocation(client, tableName);
  const status = table?.TableStatus ?? "unknown";
  if (!USABLE_STATUSES.has(status)) {
    const message = `Idempotency ${location} is ${status}, not ACTIVE`;
    if (PASSING_STATUSES.has(status)) {
      throw new IdempotencyStoreUnavailableError("check", `${message}: retry once it is ACTIVE`);
    }
    throw new IdempotencyStoreError("check", `${message}: ${CREATE_OR_FIX}`);
  }
  const keyProblem = keySchemaProblem(table!, keyAttribute);
  if (keyProblem !== undefined) {
    throw new IdempotencyStoreError(
      "check",
      `Idempotency ${location} ${keyProblem}; the store needs a string partition key "${keyAttribute}" and no sort key: set the store's keyAttribute to the table's partition key, or use a table made by createIdempotencyTable()`,
    );
  }
}

/** Why a table's key does not fit the store, or undefined when it does. */
function keySchemaProblem(table: TableDescription, keyAttribute: string): string | undefined {
  const keys = table.KeySchema ?? [];
  const typeOf = (name: string | undefined) =>
    table.AttributeDefinitions?.find((definition) => definition.AttributeName === name)?.AttributeType ?? "?";
  const described = keys.map((key) => `${key.AttributeName} (${key.KeyType}, ${typeOf(key.AttributeName)})`).join(", ");
  const hash = keys.find((key) => key.KeyType === "HASH");
  if (keys.length !== 1 || hash?.AttributeName !== keyAttribute || typeOf(keyAttribute) !== "S") {
    return `has the key schema ${described || "(none)"}`;
  }
  return undefined;
}

/** The error for a DescribeTable that failed: the two a user hits first get their own words, the rest the usual. */
async function describeFailure(
  client: DynamoDBClient,
  tableName: string,
  err: unknown,
): Promise<IdempotencyStoreError | IdempotencyStoreUnavailableError> {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === "ResourceNotFoundException") {
    // A table in another region is "not found" too: the region is half the story.
    return new IdempotencyStoreError(
      "check",
      `Idempotency table "${tableName}" not found ${await describeRegion(client)} (ResourceNotFoundException): ${CREATE_OR_FIX}`,
      { cause: err },
    );
  }
  const location = await describeTableLocation(client, tableName);
  if (name === "AccessDeniedException") {
    return new IdempotencyStoreError(
      "check",
      `Not allowed to describe the idempotency ${location} (AccessDeniedException): grant dynamodb:DescribeTable on it (besides PutItem, GetItem, UpdateItem, DeleteItem), or turn the start-up check off with checkTable: false`,
      { cause: err },
    );
  }
  return storeErrorFromDynamo("check", "DescribeTable", location, err);
}
