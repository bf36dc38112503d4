import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import { InvalidOptionError } from "../errors.js";
import type { RecordAttributeNames } from "./recordItem.js";

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
   * When an IN_PROGRESS record's holder claimed the key, in epoch milliseconds; removed on completion. Calls that
   * find the key held retry on a schedule measured from it.
   * @defaultValue `"in_progress_start"`
   */
  inProgressStartAttribute?: string;
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
   * The clock `get` uses to hide expired records.
   * @defaultValue `systemClock`
   */
  clock?: Clock;
  /**
   * The time only, in epoch milliseconds. Ignored when `clock` is given.
   * @deprecated Pass `clock`.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Check the table with `DescribeTable` before the store's first use (`check()`, which `makeIdempotent()` calls
   * once): it exists in the client's region, is ACTIVE and keyed by `keyAttribute`. A misconfigured table then
   * fails the first call with the table, the region and the fix, instead of failing every call with less. Turn
   * it off when the role may not call `dynamodb:DescribeTable`.
   * @defaultValue true
   */
  checkTable?: boolean;
}

/** The options of one store, resolved and validated. */
export interface ResolvedConfig {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly names: RecordAttributeNames;
  readonly now: () => number;
  readonly checkTable: boolean;
}

/** The layout docs/idempotency.md describes. */
const DEFAULT_ATTRIBUTE_NAMES: RecordAttributeNames = {
  key: "id",
  expiry: "expiration",
  inProgressExpiry: "in_progress_expiration",
  inProgressStart: "in_progress_start",
  status: "status",
  payloadHash: "payload_hash",
  result: "result",
};

/** Validates `options` (errors name the option) and fills in the defaults. */
export function resolveOptions(options: DynamoDBIdempotencyStoreOptions): ResolvedConfig {
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
    inProgressStart: attributeName(
      "inProgressStartAttribute",
      options.inProgressStartAttribute,
      DEFAULT_ATTRIBUTE_NAMES.inProgressStart,
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
    throw new InvalidOptionError("attribute names", "seven distinct names", Object.values(names).join(", "));
  }
  const clock = resolveClock(options.clock, options.now);
  const now = () => clock.now();
  const client = options.client ?? new DynamoDBClient({});
  if (typeof client.send !== "function") throw new InvalidOptionError("client", "a DynamoDBClient", client);
  const checkTable = options.checkTable ?? true;
  if (typeof checkTable !== "boolean") throw new InvalidOptionError("checkTable", "a boolean", checkTable);
  return Object.freeze({ client, tableName, names: Object.freeze(names), now, checkTable });
}

function attributeName(option: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value.length === 0)
    throw new InvalidOptionError(option, "a non-empty string", value);
  return value;
}
