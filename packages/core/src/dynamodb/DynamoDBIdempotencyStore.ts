import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { IdempotencyRecord, IdempotencyStore, PutIfAbsentResult } from "../idempotency/IdempotencyStore.js";
import type { IdempotencyStoreOperation } from "../idempotency/storeErrors.js";
import { checkIdempotencyTable } from "./checkIdempotencyTable.js";
import { type DynamoDBIdempotencyStoreOptions, type ResolvedConfig, resolveOptions } from "./dynamoDBStoreOptions.js";
import { type Item, itemToRecord, recordToItem } from "./recordItem.js";
import { storeErrorFromDynamo } from "./storeErrorFromDynamo.js";
import { describeTableLocation } from "./tableLocation.js";

/**
 * The claim succeeds when no live record holds the key: none exists, the whole record has expired
 * (TTL deletes late, so expiry is checked here, not left to TTL), or an IN_PROGRESS lease has run out.
 */
const CLAIM_CONDITION =
  "attribute_not_exists(#key) OR #expiry <= :nowSeconds OR (#status = :inProgress AND #lease <= :now)";

/**
 * An idempotency store on one DynamoDB table: one conditional PutItem to claim a key, one UpdateItem
 * to complete it, a consistent GetItem to read, DeleteItem to free. No transactions, so it also runs
 * against emulators. Failures become `IdempotencyStoreError` or the transient `IdempotencyStoreUnavailableError`.
 *
 * Table: partition key `id` (S), TTL on `expiration` (epoch seconds). See docs/idempotency.md.
 */
export class DynamoDBIdempotencyStore implements IdempotencyStore {
  readonly #config: ResolvedConfig;
  readonly #claimNames: Record<string, string>;
  /** `table "x" in us-east-1`, for error messages; resolved on first need (the region is an async provider). */
  #location: Promise<string> | undefined;

  constructor(options: DynamoDBIdempotencyStoreOptions) {
    this.#config = resolveOptions(options);
    const { names } = this.#config;
    this.#claimNames = {
      "#key": names.key,
      "#expiry": names.expiry,
      "#status": names.status,
      "#lease": names.inProgressExpiry,
    };
  }

  /** The table this store writes to. */
  get tableName(): string {
    return this.#config.tableName;
  }

  /**
   * Checks the table with one `DescribeTable` (unless `checkTable` is false): it must exist in the client's
   * region, be ACTIVE (or UPDATING) and have a string partition key `keyAttribute` and no sort key. Rejects with
   * an `IdempotencyStoreError` naming the table, the region and the fix, or the transient
   * `IdempotencyStoreUnavailableError` when DynamoDB cannot be reached. `makeIdempotent()` calls it once.
   */
  async check(): Promise<void> {
    const { client, tableName, names, checkTable } = this.#config;
    if (checkTable) await checkIdempotencyTable(client, tableName, names.key);
  }

  async putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult> {
    const { client, tableName, names } = this.#config;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: recordToItem(record, names),
          ConditionExpression: CLAIM_CONDITION,
          ExpressionAttributeNames: this.#claimNames,
          ExpressionAttributeValues: {
            ":nowSeconds": { N: String(Math.floor(now / 1000)) },
            ":now": { N: String(now) },
            ":inProgress": { S: "IN_PROGRESS" },
          },
          // Saves the read below on AWS. Emulators (dynalite) ignore it and return no item.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw await this.#error("putIfAbsent", "PutItem", err);
      const existing = err.Item
        ? itemToRecord(err.Item, names, "putIfAbsent", await this.#whereTable())
        : await this.#read(record.key, "putIfAbsent");
      return { claimed: false, existing };
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const record = await this.#read(key, "get");
    // TTL deletes an expired item up to days late: an expired record is no record.
    return record && record.expiresAt > this.#config.now() ? record : undefined;
  }

  async update(record: IdempotencyRecord): Promise<void> {
    const { client, tableName, names } = this.#config;
    const item = recordToItem(record, names);
    const attributeNames: Record<string, string> = {};
    const values: Item = {};
    const set: string[] = [];
    const remove: string[] = [];
    const fields = [
      names.status,
      names.expiry,
      names.inProgressExpiry,
      names.inProgressStart,
      names.payloadHash,
      names.result,
    ];
    fields.forEach((name, i) => {
      attributeNames[`#a${i}`] = name;
      const value = item[name];
      if (value === undefined) {
        remove.push(`#a${i}`);
      } else {
        values[`:a${i}`] = value;
        set.push(`#a${i} = :a${i}`);
      }
    });
    try {
      // Unconditional: if the record vanished meanwhile, recording the finished work is still right.
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [names.key]: { S: record.key } },
          UpdateExpression: `SET ${set.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`,
          ExpressionAttributeNames: attributeNames,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      throw await this.#error("update", "UpdateItem", err);
    }
  }

  async delete(key: string): Promise<void> {
    const { client, tableName, names } = this.#config;
    try {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { [names.key]: { S: key } } }));
    } catch (err) {
      throw await this.#error("delete", "DeleteItem", err);
    }
  }

  /** The stored record, expired or not. Strongly consistent: a claim that just lost must see the winner. */
  async #read(key: string, operation: IdempotencyStoreOperation): Promise<IdempotencyRecord | undefined> {
    const { client, tableName, names } = this.#config;
    let item: Item | undefined;
    try {
      const output = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { [names.key]: { S: key } }, ConsistentRead: true }),
      );
      item = output.Item;
    } catch (err) {
      throw await this.#error(operation, "GetItem", err);
    }
    return item ? itemToRecord(item, names, operation, await this.#whereTable()) : undefined;
  }

  /** The store error for a failed call, naming the table and the region. */
  async #error(operation: IdempotencyStoreOperation, command: string, err: unknown) {
    return storeErrorFromDynamo(operation, command, await this.#whereTable(), err);
  }

  #whereTable(): Promise<string> {
    this.#location ??= describeTableLocation(this.#config.client, this.#config.tableName);
    return this.#location;
  }
}

function isConditionalCheckFailed(err: unknown): err is { name: string; Item?: Item } {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}
