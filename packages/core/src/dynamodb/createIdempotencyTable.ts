import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { InvalidOptionError } from "../errors.js";

/** Options of `createIdempotencyTable()`. */
export interface CreateIdempotencyTableOptions {
  /**
   * The partition key; must match the store's `keyAttribute`.
   * @defaultValue `"id"`
   */
  keyAttribute?: string;
  /**
   * The TTL attribute; must match the store's `expiryAttribute`.
   * @defaultValue `"expiration"`
   */
  expiryAttribute?: string;
  /**
   * How long to wait for the table to become ACTIVE.
   * @defaultValue 60000
   */
  activeTimeoutMs?: number;
}

/** What `createIdempotencyTable()` did. */
export interface CreateIdempotencyTableResult {
  /** False when the table already existed (it was left as it was, TTL aside). */
  created: boolean;
  /** `UNSUPPORTED` on emulators without TTL (dynalite): the store checks expiry itself, so it still works. */
  timeToLive: "ENABLED" | "UNSUPPORTED";
}

const DEFAULTS = { keyAttribute: "id", expiryAttribute: "expiration", activeTimeoutMs: 60_000 } as const;
const ACTIVE_POLL_MS = 250;

/**
 * Creates an on-demand table for `DynamoDBIdempotencyStore` (partition key `id` of type S) if it does not
 * exist, waits until it is ACTIVE and turns TTL on for `expiration`. For tests, examples and local runs;
 * production tables belong in infrastructure code (see docs/idempotency.md for CloudFormation).
 */
export async function createIdempotencyTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateIdempotencyTableOptions = {},
): Promise<CreateIdempotencyTableResult> {
  const keyAttribute = options.keyAttribute ?? DEFAULTS.keyAttribute;
  const expiryAttribute = options.expiryAttribute ?? DEFAULTS.expiryAttribute;
  const activeTimeoutMs = options.activeTimeoutMs ?? DEFAULTS.activeTimeoutMs;
  if (!(Number.isFinite(activeTimeoutMs) && activeTimeoutMs >= 0)) {
    throw new InvalidOptionError("activeTimeoutMs", "a number of milliseconds >= 0", activeTimeoutMs);
  }
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: "S" }],
        KeySchema: [{ AttributeName: keyAttribute, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (err) {
    if ((err as Error).name !== "ResourceInUseException") throw err;
    created = false;
  }
  await waitUntilActive(client, tableName, activeTimeoutMs);
  return { created, timeToLive: await enableTimeToLive(client, tableName, expiryAttribute) };
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    if (Date.now() >= deadline) {
      throw new Error(`Table "${tableName}" is ${Table?.TableStatus ?? "unknown"}, not ACTIVE, after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
}

async function enableTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  expiryAttribute: string,
): Promise<CreateIdempotencyTableResult["timeToLive"]> {
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (
    ttl?.AttributeName === expiryAttribute &&
    (ttl.TimeToLiveStatus === "ENABLED" || ttl.TimeToLiveStatus === "ENABLING")
  ) {
    return "ENABLED";
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: expiryAttribute, Enabled: true },
      }),
    );
    return "ENABLED";
  } catch (err) {
    if ((err as Error).name === "UnknownOperationException") return "UNSUPPORTED";
    throw err;
  }
}
