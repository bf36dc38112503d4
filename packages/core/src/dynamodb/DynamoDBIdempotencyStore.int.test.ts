import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningPeer, startDynamoPeer } from "../../../../test-support/peers.js";
import { IdempotencyInProgressError, TransientError } from "../errors.js";
import { makeIdempotent } from "../idempotency/makeIdempotent.js";
import {
  IdempotencyRecordRejectedError,
  IdempotencyStoreError,
  IdempotencyStoreUnavailableError,
} from "../idempotency/storeErrors.js";
import { findDependencyFailure } from "../resilience/classify.js";
import { describeIdempotencyStore } from "../testing/describeIdempotencyStore.js";
import { createIdempotencyTable } from "./createIdempotencyTable.js";
import { DynamoDBIdempotencyStore } from "./DynamoDBIdempotencyStore.js";

let peer: RunningPeer;
let client: DynamoDBClient;
const tableName = "idempotency-int";

beforeAll(async () => {
  peer = await startDynamoPeer();
  client = new DynamoDBClient(peer.clientConfig);
  await createIdempotencyTable(client, tableName);
});

afterAll(async () => {
  client?.destroy();
  await peer?.stop();
});

describeIdempotencyStore(
  "DynamoDBIdempotencyStore on dynalite",
  ({ now }) => new DynamoDBIdempotencyStore({ client, tableName, now }),
  {
    racers: 50,
  },
);

describe("DynamoDBIdempotencyStore on dynalite", () => {
  const at = Math.ceil(Date.now() / 1000) * 1000;

  it("writes the documented layout: id, status, expiration in epoch seconds (for TTL), lease in ms", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName, now: () => at });
    await store.putIfAbsent(
      {
        key: "layout-1",
        status: "IN_PROGRESS",
        expiresAt: at + 3_600_250,
        inProgressExpiresAt: at + 60_250,
        payloadHash: "ab",
      },
      at,
    );
    await store.update({ key: "layout-2", status: "COMPLETED", expiresAt: at + 3_600_000, result: '{"ok":true}' });

    const inProgress = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: "layout-1" } } }));
    const completed = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: "layout-2" } } }));

    expect(inProgress.Item).toEqual({
      id: { S: "layout-1" },
      status: { S: "IN_PROGRESS" },
      expiration: { N: String(at / 1000 + 3601) },
      in_progress_expiration: { N: String(at + 60_250) },
      payload_hash: { S: "ab" },
    });
    expect(completed.Item).toEqual({
      id: { S: "layout-2" },
      status: { S: "COMPLETED" },
      expiration: { N: String(at / 1000 + 3600) },
      result: { S: '{"ok":true}' },
    });
  });

  it("runs fn once when 30 calls race on one key through two workers' own clients and stores", async () => {
    const otherClient = new DynamoDBClient(peer.clientConfig);
    const workers = [client, otherClient].map((c) => new DynamoDBIdempotencyStore({ client: c, tableName }));
    const charge = vi.fn(async (orderId: string) => `charged ${orderId}`);
    const handlers = workers.map((store) =>
      makeIdempotent(charge, { store, key: (orderId) => orderId, keyPrefix: "race-e2e#" }),
    );

    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => handlers[i % 2]!("o-77")));
    const afterwards = await handlers[1]!("o-77");
    otherClient.destroy();

    expect(charge).toHaveBeenCalledTimes(1);
    const rejected = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    for (const reason of rejected) expect(reason).toBeInstanceOf(IdempotencyInProgressError);
    for (const o of outcomes) if (o.status === "fulfilled") expect(o.value).toBe("charged o-77");
    expect(afterwards).toBe("charged o-77");
  });

  it("takes over an IN_PROGRESS record left by a crashed worker once its lease has run out", async () => {
    const clock = { now: at };
    const store = new DynamoDBIdempotencyStore({ client, tableName, now: () => clock.now });
    // A worker claimed the key and died before completing or deleting it.
    await store.putIfAbsent(
      { key: "crash#o-9", status: "IN_PROGRESS", expiresAt: at + 3_600_000, inProgressExpiresAt: at + 30_000 },
      at,
    );
    const charge = vi.fn(async (_orderId: string) => "charged by the survivor");
    const handler = makeIdempotent(charge, { store, key: (id: string) => `crash#${id}`, now: () => clock.now });

    clock.now = at + 29_999;
    const early = await handler("o-9").catch((e: unknown) => e);
    clock.now = at + 30_000;
    const takeover = await handler("o-9");

    expect(early).toBeInstanceOf(IdempotencyInProgressError);
    expect(takeover).toBe("charged by the survivor");
    expect(await store.get("crash#o-9")).toMatchObject({ status: "COMPLETED", result: '"charged by the survivor"' });
  });

  it("maps a missing table to IdempotencyStoreError (not transient) with a hint to create it", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName: "no-such-table" });

    const err = await store.get("o-1").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect(err).not.toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: "IDEMPOTENCY_STORE",
      operation: "get",
      cause: { name: "ResourceNotFoundException" },
    });
    expect((err as Error).message).toContain("create the table (createIdempotencyTable() or docs/idempotency.md)");
  });

  it("maps a key over DynamoDB's 2,048-byte limit to the permanent IdempotencyRecordRejectedError with a hint (this message's, not a failing store)", async () => {
    const store = new DynamoDBIdempotencyStore({ client, tableName });

    const err = await store
      .putIfAbsent(
        { key: "k".repeat(2049), status: "IN_PROGRESS", expiresAt: at + 1000, inProgressExpiresAt: at + 1000 },
        at,
      )
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyRecordRejectedError);
    expect(findDependencyFailure(err)).toBeUndefined(); // the consumer dead-letters it instead of pausing
    expect(err).toMatchObject({ operation: "putIfAbsent", cause: { name: "ValidationException" } });
    expect((err as Error).message).toContain("check the key (at most 2,048 bytes)");
  });

  it("maps an unreachable endpoint to the transient IdempotencyStoreUnavailableError", async () => {
    const unreachable = new DynamoDBClient({ ...peer.clientConfig, endpoint: "http://127.0.0.1:1", maxAttempts: 1 });
    const store = new DynamoDBIdempotencyStore({ client: unreachable, tableName });

    const err = await store.delete("o-1").catch((e: unknown) => e);
    unreachable.destroy();

    expect(err).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: "IDEMPOTENCY_STORE", operation: "delete" });
  });

  it("works with custom attribute names on a table created with the same names", async () => {
    await createIdempotencyTable(client, "idempotency-custom", { keyAttribute: "pk", expiryAttribute: "ttl" });
    const store = new DynamoDBIdempotencyStore({
      client,
      tableName: "idempotency-custom",
      keyAttribute: "pk",
      expiryAttribute: "ttl",
      resultAttribute: "data",
    });
    const handler = makeIdempotent(async (id: string) => ({ id }), { store, key: (id) => id });

    await handler("o-5");
    const raw = await client.send(new GetItemCommand({ TableName: "idempotency-custom", Key: { pk: { S: "o-5" } } }));

    expect(await handler("o-5")).toEqual({ id: "o-5" });
    expect(Object.keys(raw.Item ?? {}).sort()).toEqual(["data", "pk", "status", "ttl"]);
  });
});
