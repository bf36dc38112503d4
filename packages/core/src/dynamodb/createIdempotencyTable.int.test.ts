import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPeer, startDynamoPeer } from "../../../../test-support/peers.js";
import { createIdempotencyTable } from "./createIdempotencyTable.js";

let peer: RunningPeer;
let client: DynamoDBClient;

beforeAll(async () => {
  peer = await startDynamoPeer();
  client = new DynamoDBClient(peer.clientConfig);
});

afterAll(async () => {
  client?.destroy();
  await peer?.stop();
});

describe("createIdempotencyTable on dynalite", () => {
  it("creates an ACTIVE on-demand table keyed by a string `id`", async () => {
    const result = await createIdempotencyTable(client, "created-table");

    const { Table } = await client.send(new DescribeTableCommand({ TableName: "created-table" }));
    expect(result.created).toBe(true);
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "S" }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
  });

  it("reports TTL as UNSUPPORTED on dynalite, which has no UpdateTimeToLive", async () => {
    const result = await createIdempotencyTable(client, "ttl-table");

    expect(result.timeToLive).toBe("UNSUPPORTED");
  });

  it("leaves an existing table alone and says it did not create it", async () => {
    await createIdempotencyTable(client, "existing-table");

    const again = await createIdempotencyTable(client, "existing-table");

    expect(again.created).toBe(false);
  });

  it("turns TTL on for `expiration` where the service supports it (TTL calls stubbed: dynalite has none)", async () => {
    const sent: unknown[] = [];
    const withTtl = {
      send: async (command: { input: unknown }) => {
        if (command instanceof DescribeTimeToLiveCommand)
          return { TimeToLiveDescription: { TimeToLiveStatus: "DISABLED" } };
        if (command instanceof UpdateTimeToLiveCommand) {
          sent.push(command.input);
          return {};
        }
        return client.send(command as never);
      },
    } as unknown as DynamoDBClient;

    const result = await createIdempotencyTable(withTtl, "aws-like-table", { expiryAttribute: "expires_at" });

    expect(result).toEqual({ created: true, timeToLive: "ENABLED" });
    expect(sent).toEqual([
      { TableName: "aws-like-table", TimeToLiveSpecification: { AttributeName: "expires_at", Enabled: true } },
    ]);
  });
});
