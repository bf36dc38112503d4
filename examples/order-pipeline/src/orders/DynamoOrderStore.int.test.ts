import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll } from "vitest";
import { type RunningPeer, startDynamoPeer } from "../../../../test-support/peers.js";
import { createOrdersTable, DynamoOrderStore } from "./DynamoOrderStore.js";
import { describeOrderStore } from "./orderStoreContract.js";

let peer: RunningPeer;
let client: DynamoDBClient;
let store: DynamoOrderStore;

beforeAll(async () => {
  peer = await startDynamoPeer();
  client = new DynamoDBClient(peer.clientConfig);
  await createOrdersTable(client, "orders");
  store = new DynamoOrderStore({ client, tableName: "orders" });
});

afterAll(async () => {
  client?.destroy();
  await peer?.stop();
});

describeOrderStore("DynamoOrderStore on dynalite", () => store, { raceRuns: 60 });
