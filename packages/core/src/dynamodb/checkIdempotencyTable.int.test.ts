import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningPeer, startDynamoPeer } from "../../../../test-support/peers.js";
import { TransientError } from "../errors.js";
import { makeIdempotent } from "../idempotency/makeIdempotent.js";
import { IdempotencyStoreError, IdempotencyStoreUnavailableError } from "../idempotency/storeErrors.js";
import { createIdempotencyTable } from "./createIdempotencyTable.js";
import { DynamoDBIdempotencyStore } from "./DynamoDBIdempotencyStore.js";

/** Issue 12, item 3: a misconfigured table fails the first call with the table, the region and the fix. */
let peer: RunningPeer;
let client: DynamoDBClient;

beforeAll(async () => {
  peer = await startDynamoPeer();
  client = new DynamoDBClient(peer.clientConfig);
  await createIdempotencyTable(client, "orders-idempotency");
  // Keyed by a number, with a sort key: a table made for something else.
  await client.send(
    new CreateTableCommand({
      TableName: "orders",
      AttributeDefinitions: [
        { AttributeName: "orderId", AttributeType: "N" },
        { AttributeName: "line", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "orderId", KeyType: "HASH" },
        { AttributeName: "line", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await peer?.stop();
});

describe("DynamoDBIdempotencyStore.check() on dynalite", () => {
  it("passes for a table made by createIdempotencyTable()", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName: "orders-idempotency" });

    await expect(store.check()).resolves.toBeUndefined();
  });

  it("names the table and the region when the table does not exist, and says how to fix it", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName: "orders-idempotencyy" });

    const err = await store.check().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect(err).not.toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: "IDEMPOTENCY_STORE",
      operation: "check",
      cause: { name: "ResourceNotFoundException" },
    });
    expect((err as Error).message).toBe(
      'Idempotency table "orders-idempotencyy" not found in us-east-1 (ResourceNotFoundException): create it with createIdempotencyTable() or fix tableName/region',
    );
  });

  it("refuses a table whose key schema is not the store's, naming both", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName: "orders" });

    const err = await store.check().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect((err as Error).message).toBe(
      'Idempotency table "orders" in us-east-1 has the key schema orderId (HASH, N), line (RANGE, S); the store needs a string partition key "id" and no sort key: set the store\'s keyAttribute to the table\'s partition key, or use a table made by createIdempotencyTable()',
    );
  });

  it("refuses a table keyed by another attribute than keyAttribute", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName: "orders-idempotency", keyAttribute: "pk" });

    const err = await store.check().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect((err as Error).message).toContain("has the key schema id (HASH, S)");
  });

  it("is the transient IdempotencyStoreUnavailableError, naming the region, when DynamoDB cannot be reached", async () => {
    const unreachable = new DynamoDBClient({ ...peer.clientConfig, endpoint: "http://127.0.0.1:1", maxAttempts: 1 });
    const store = new DynamoDBIdempotencyStore({ client: unreachable, tableName: "orders-idempotency" });

    const err = await store.check().catch((e: unknown) => e);
    unreachable.destroy();

    expect(err).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect((err as Error).message).toContain(
      'Idempotency store check (DynamoDB DescribeTable on table "orders-idempotency" in us-east-1) failed with',
    );
    expect((err as Error).message).toContain("check the network and the client's endpoint");
  });

  it("fails the first call of makeIdempotent with the check's error, before any write", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName: "orders-idempotencyy" });
    const charge = vi.fn(async (orderId: string) => `charged ${orderId}`);
    const chargeOnce = makeIdempotent(charge, { store, key: (orderId) => orderId });

    const err = await chargeOnce("o-1").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect((err as Error).message).toContain('"orders-idempotencyy" not found in us-east-1');
    expect(charge).not.toHaveBeenCalled();
  });

  it("describes the table once for 40 concurrent first calls through two wrappers sharing the store", async () => {
    const counting = new DynamoDBClient(peer.clientConfig);
    const send = vi.spyOn(counting, "send");
    const store = new DynamoDBIdempotencyStore({ client: counting, tableName: "orders-idempotency" });
    const wrappers = ["charge#", "ship#"].map((keyPrefix) =>
      makeIdempotent(async (orderId: string) => `${keyPrefix}${orderId}`, { store, key: (id) => id, keyPrefix }),
    );

    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => wrappers[i % 2]!(`once-${i}`)));
    await wrappers[0]!("once-after");
    counting.destroy();

    expect(results).toHaveLength(40);
    const describes = send.mock.calls.filter(([command]) => command instanceof DescribeTableCommand);
    expect(describes).toHaveLength(1);
  });

  it("makes no DescribeTable call with checkTable: false", async () => {
    const counting = new DynamoDBClient(peer.clientConfig);
    const send = vi.spyOn(counting, "send");
    const store = new DynamoDBIdempotencyStore({
      client: counting,
      tableName: "orders-idempotency",
      checkTable: false,
    });
    const once = makeIdempotent(async (orderId: string) => orderId, { store, key: (id) => id, keyPrefix: "nocheck#" });

    await once("o-1");
    counting.destroy();

    expect(send.mock.calls.some(([command]) => command instanceof DescribeTableCommand)).toBe(false);
  });
});
