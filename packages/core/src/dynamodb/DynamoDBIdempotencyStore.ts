import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { InvalidOptionError } from "../errors.js";
import type { IdempotencyRecord, IdempotencyStore, PutIfAbsentResult } from "../idempotency/IdempotencyStore.js";
import type { IdempotencyStoreOperation } from "../idempotency/storeErrors.js";
import { type Item, itemToRecord, type RecordAttributeNames, recordToItem } from "./recordItem.js";
import { storeErrorFromDynamo } from "./storeErrorFromDynamo.js";

/** Options of `DynamoDBIdempotencyStore`. Attribute names only matter when sharing a table laid out another way. */
export interface DynamoDBIdempotencyStoreOptions {
  /**
   * The client to use. Create it once, outside a Lambda handler, and pass it in.
   * @defaultValue `new DynamoDBClient({})` (region and credentials from the environment)
   */
  client?: DynamoDBClient;
  /** The table: a string partition key named `keyAttribute`, no sort key. */
  tableName: string;
  /**
   * The partition key (type S).
   * @defaultValue `"id"`
   */
  keyAttribute?: string;
  /**
   * When the whole record expires, in epoch seconds: point the table's TTL at it.
   * @defaultValue `"expiration"`
   */
  expiryAttribute?: string;
  /**
   * When an IN_PROGRESS record's lease runs out, in epoch milliseconds.
   * @defaultValue `"in_progress_expiration"`
   */
  inProgressExpiryAttribute?: string;
  /**
   * `IN_PROGRESS` or `COMPLETED`.
   * @defaultValue `"status"`
   */
  statusAttribute?: string;
  /**
   * sha256 of the payload, when validation is on.
   * @defaultValue `"payload_hash"`
   */
  payloadHashAttribute?: string;
  /**
   * The serialized result of a completed call.
   * @defaultValue `"result"`
   */
  resultAttribute?: string;
  /**
   * The clock `get` uses to hide expired records, in epoch milliseconds. Inject one in tests.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

interface ResolvedConfig {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly names: RecordAttributeNames;
  readonly now: () => number;
}

const DEFAULT_ATTRIBUTE_NAMES: RecordAttributeNames = {
  key: "id",
  expiry: "expiration",
  inProgressExpiry: "in_progress_expiration",
  status: "status",
  payloadHash: "payload_hash",
  result: "result",
};

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
      if (!isConditionalCheckFailed(err)) throw storeErrorFromDynamo("putIfAbsent", "PutItem", tableName, err);
      const existing = err.Item
        ? itemToRecord(err.Item, names, "putIfAbsent")
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
    const fields = [names.status, names.expiry, names.inProgressExpiry, names.payloadHash, names.result];
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
      throw storeErrorFromDynamo("update", "UpdateItem", tableName, err);
    }
  }

  async delete(key: string): Promise<void> {
    const { client, tableName, names } = this.#config;
    try {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { [names.key]: { S: key } } }));
    } catch (err) {
      throw storeErrorFromDynamo("delete", "DeleteItem", tableName, err);
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
      throw storeErrorFromDynamo(operation, "GetItem", tableName, err);
    }
    return item ? itemToRecord(item, names, operation) : undefined;
  }
}

function isConditionalCheckFailed(err: unknown): err is { name: string; Item?: Item } {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}

function resolveOptions(options: DynamoDBIdempotencyStoreOptions): ResolvedConfig {
  if (options === null || typeof options !== "object") throw new InvalidOptionError("options", "an object", options);
  const { tableName } = options;
  if (typeof tableName !== "string" || tableName.length < 3) {
    throw new InvalidOptionError("tableName", "a DynamoDB table name (3 to 255 characters)", tableName);
  }
  const names: RecordAttributeNames = {
    key: attributeName("keyAttribute", options.keyAttribute, DEFAULT_ATTRIBUTE_NAMES.key),
    expiry: attributeName("expiryAttribute", options.expiryAttribute, DEFAULT_ATTRIBUTE_NAMES.expiry),
    inProgressExpiry: attributeName(
      "inProgressExpiryAttribute",
      options.inProgressExpiryAttribute,
      DEFAULT_ATTRIBUTE_NAMES.inProgressExpiry,
    ),
    status: attributeName("statusAttribute", options.statusAttribute, DEFAULT_ATTRIBUTE_NAMES.status),
    payloadHash: attributeName(
      "payloadHashAttribute",
      options.payloadHashAttribute,
      DEFAULT_ATTRIBUTE_NAMES.payloadHash,
    ),
    result: attributeName("resultAttribute", options.resultAttribute, DEFAULT_ATTRIBUTE_NAMES.result),
  };
  const distinct = new Set(Object.values(names));
  if (distinct.size !== Object.keys(names).length) {
    throw new InvalidOptionError("attribute names", "six distinct names", Object.values(names).join(", "));
  }
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new InvalidOptionError("now", "a function returning epoch milliseconds", now);
  const client = options.client ?? new DynamoDBClient({});
  if (typeof client.send !== "function") throw new InvalidOptionError("client", "a DynamoDBClient", client);
  return Object.freeze({ client, tableName, names: Object.freeze(names), now });
}

function attributeName(option: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value.length === 0)
    throw new InvalidOptionError(option, "a non-empty string", value);
  return value;
}
