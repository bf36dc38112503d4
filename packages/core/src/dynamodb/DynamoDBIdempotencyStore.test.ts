import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it, vi } from "vitest";
import { InvalidOptionError, TransientError } from "../errors.js";
import { IdempotencyStoreError, IdempotencyStoreUnavailableError } from "../idempotency/storeErrors.js";
import { DynamoDBIdempotencyStore } from "./DynamoDBIdempotencyStore.js";

const now = 1_767_225_600_500;
const record = {
  key: "o-1",
  status: "IN_PROGRESS" as const,
  expiresAt: now + 3600_000,
  inProgressExpiresAt: now + 60_000,
};

/** A client whose `send` the test scripts: only for faults and replies the local peer cannot produce. */
function scriptedClient(...replies: Array<(command: unknown) => unknown>) {
  const send = vi.fn(async (command: unknown) => {
    const reply = replies.shift();
    if (!reply) throw new Error("unexpected call");
    return reply(command);
  });
  // The region provider as the SDK resolves it: errors name the region the client looks in.
  const config = { region: async () => "eu-west-1" };
  return { client: { send, config } as unknown as DynamoDBClient, send };
}

const metadata = { $metadata: { httpStatusCode: 400 } };

describe("DynamoDBIdempotencyStore", () => {
  it("claims with one conditional PutItem asking for the old item on failure", async () => {
    const { client, send } = scriptedClient(() => ({}));
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const claim = await store.putIfAbsent(record, now);

    expect(claim).toEqual({ claimed: true });
    expect(send).toHaveBeenCalledTimes(1);
    const put = send.mock.calls[0]?.[0] as PutItemCommand;
    expect(put).toBeInstanceOf(PutItemCommand);
    expect(put.input).toMatchObject({
      TableName: "idempotency",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      ExpressionAttributeValues: {
        ":nowSeconds": { N: "1767225600" },
        ":now": { N: String(now) },
        ":inProgress": { S: "IN_PROGRESS" },
      },
      Item: {
        id: { S: "o-1" },
        status: { S: "IN_PROGRESS" },
        expiration: { N: "1767229201" },
        in_progress_expiration: { N: String(now + 60_000) },
      },
    });
  });

  it("fault injection: uses the item AWS returns with a failed claim (ALL_OLD) and skips the GetItem", async () => {
    const held = {
      id: { S: "o-1" },
      status: { S: "COMPLETED" },
      expiration: { N: "1767229201" },
      result: { S: '"charged"' },
    };
    const { client, send } = scriptedClient(() => {
      throw new ConditionalCheckFailedException({ message: "The conditional request failed", Item: held, ...metadata });
    });
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const claim = await store.putIfAbsent(record, now);

    expect(claim).toEqual({
      claimed: false,
      existing: { key: "o-1", status: "COMPLETED", expiresAt: 1_767_229_201_000, result: '"charged"' },
    });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("reads the record with a consistent GetItem when a failed claim returns no item (as dynalite does)", async () => {
    const { client, send } = scriptedClient(
      () => {
        throw new ConditionalCheckFailedException({ message: "The conditional request failed", ...metadata });
      },
      () => ({ Item: { id: { S: "o-1" }, status: { S: "IN_PROGRESS" }, expiration: { N: "1767229201" } } }),
    );
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const claim = await store.putIfAbsent(record, now);

    expect(claim).toEqual({
      claimed: false,
      existing: { key: "o-1", status: "IN_PROGRESS", expiresAt: 1_767_229_201_000 },
    });
    const get = send.mock.calls[1]?.[0] as GetItemCommand;
    expect(get).toBeInstanceOf(GetItemCommand);
    expect(get.input).toEqual({ TableName: "idempotency", Key: { id: { S: "o-1" } }, ConsistentRead: true });
  });

  it.each([
    ["ThrottlingException", () => new ThrottlingException({ message: "Rate exceeded", ...metadata })],
    [
      "ProvisionedThroughputExceededException",
      () => new ProvisionedThroughputExceededException({ message: "Throughput exceeded", ...metadata }),
    ],
    [
      "InternalServerError",
      () => new InternalServerError({ message: "Internal error", $metadata: { httpStatusCode: 500 } }),
    ],
  ])(
    "fault injection: maps %s to the transient IdempotencyStoreUnavailableError, keeping the cause",
    async (_name, fault) => {
      const cause = fault();
      const { client } = scriptedClient(() => {
        throw cause;
      });
      const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

      const err = await store.update({ key: "o-1", status: "COMPLETED", expiresAt: now }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(IdempotencyStoreUnavailableError);
      expect(err).toBeInstanceOf(TransientError);
      expect(err).toMatchObject({ code: "IDEMPOTENCY_STORE", operation: "update", cause });
      expect((err as Error).message).toContain('(DynamoDB UpdateItem on table "idempotency" in eu-west-1) failed with');
      expect((err as Error).message).toMatch(/retry later$/);
    },
  );

  it("fault injection: reports an item it did not write as an IdempotencyStoreError naming the attributes", async () => {
    const { client } = scriptedClient(() => ({ Item: { id: { S: "o-1" }, state: { S: "DONE" } } }));
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const err = await store.get("o-1").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect((err as Error).message).toContain(
      'DynamoDB item "o-1" in table "idempotency" in eu-west-1 is not an idempotency record',
    );
    expect((err as Error).message).toContain("`status`");
  });

  it("fault injection: names the missing permission when AWS denies a call (AccessDenied: no peer enforces IAM)", async () => {
    const { client } = scriptedClient(() => {
      throw Object.assign(new Error("User is not authorized to perform: dynamodb:DeleteItem"), {
        name: "AccessDeniedException",
        ...metadata,
      });
    });
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const err = await store.delete("o-1").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect(err).not.toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('on table "idempotency" in eu-west-1');
    expect((err as Error).message).toContain("grant dynamodb:DeleteItem on the table");
  });

  it("fault injection: the table check names dynamodb:DescribeTable when AWS denies it (no peer enforces IAM)", async () => {
    const { client } = scriptedClient(() => {
      throw Object.assign(new Error("not authorized"), { name: "AccessDeniedException", ...metadata });
    });
    const store = new DynamoDBIdempotencyStore({ client, tableName: "orders-idempotency" });

    const err = await store.check().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect(err).toMatchObject({ code: "IDEMPOTENCY_STORE", operation: "check" });
    expect((err as Error).message).toBe(
      'Not allowed to describe the idempotency table "orders-idempotency" in eu-west-1 (AccessDeniedException): grant dynamodb:DescribeTable on it (besides PutItem, GetItem, UpdateItem, DeleteItem), or turn the start-up check off with checkTable: false',
    );
  });

  it("fault injection: a throttled table check is the transient IdempotencyStoreUnavailableError", async () => {
    const { client } = scriptedClient(() => {
      throw new ThrottlingException({ message: "Rate exceeded", ...metadata });
    });
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const err = await store.check().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect(err).toMatchObject({ code: "IDEMPOTENCY_STORE", operation: "check" });
  });

  it("says no region is configured when the client's region provider has none", async () => {
    const send = vi.fn(async () => {
      throw new Error("Region is missing");
    });
    const region = async () => {
      throw new Error("Region is missing");
    };
    const client = { send, config: { region } } as unknown as DynamoDBClient;
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency" });

    const err = await store.check().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyStoreError);
    expect((err as Error).message).toContain(
      'table "idempotency" with no region configured (set AWS_REGION or the client\'s `region`)',
    );
  });

  it("skips the table check when checkTable is false", async () => {
    const { client, send } = scriptedClient();
    const store = new DynamoDBIdempotencyStore({ client, tableName: "idempotency", checkTable: false });

    await store.check();

    expect(send).not.toHaveBeenCalled();
  });

  it("rejects bad options at construction, naming the option", () => {
    expect(() => new DynamoDBIdempotencyStore({ tableName: "" })).toThrow(
      new InvalidOptionError("tableName", "a DynamoDB table name (3 to 255 characters)", ""),
    );
    expect(() => new DynamoDBIdempotencyStore({ tableName: "idempotency", keyAttribute: "" })).toThrow(
      "Expected `keyAttribute` to be a non-empty string",
    );
    expect(() => new DynamoDBIdempotencyStore({ tableName: "idempotency", expiryAttribute: "id" })).toThrow(
      "Expected `attribute names` to be seven distinct names",
    );
    expect(() => new DynamoDBIdempotencyStore({ tableName: "idempotency", checkTable: "yes" as never })).toThrow(
      new InvalidOptionError("checkTable", "a boolean", "yes"),
    );
  });

  it("creates its own client from the environment when none is given, without calling AWS", () => {
    const store = new DynamoDBIdempotencyStore({ tableName: "idempotency" });

    expect(store.tableName).toBe("idempotency");
  });
});
