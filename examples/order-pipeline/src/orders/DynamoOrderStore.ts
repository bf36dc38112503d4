import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import type { Order, OrderBranch, OrderEventName, OrderHistoryEntry, OrderStatus, PaymentRecord } from "./Order.js";
import type { ConditionalWrite, OrderStore } from "./OrderStore.js";
import type { OrderItem } from "./orderSchema.js";

/** Options of {@link DynamoOrderStore}. */
export interface DynamoOrderStoreOptions {
  client: DynamoDBClient;
  /** The order table (partition key `orderId`, a string). */
  tableName: string;
}

type Item = Record<string, AttributeValue>;

/** One conditional UpdateItem: what to set and the condition that must hold. */
interface ConditionalUpdate {
  readonly set: string;
  readonly condition: string;
  readonly values: Item;
}

const S = (value: string): AttributeValue => ({ S: value });

/**
 * The order table on DynamoDB. Every racing write is one UpdateItem with a ConditionExpression that also
 * appends to the history (`list_append`) in the same atomic write; a failed condition is then told apart
 * from a missing order with one consistent read (only on that path: dynalite ignores
 * ReturnValuesOnConditionCheckFailure, see shared PEERS.md).
 */
export class DynamoOrderStore implements OrderStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoOrderStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async create(order: Order): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: toItem(order),
        ConditionExpression: "attribute_not_exists(orderId)",
      }),
    );
  }

  async get(orderId: string): Promise<Order | undefined> {
    const out = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { orderId: S(orderId) }, ConsistentRead: true }),
    );
    return out.Item === undefined ? undefined : fromItem(out.Item);
  }

  recordPayment(orderId: string, payment: PaymentRecord, at: string): Promise<ConditionalWrite> {
    const paid = payment.status === "PAID";
    return this.#update(
      orderId,
      { event: paid ? "PAID" : "PAYMENT_FAILED", at, by: "payment" },
      {
        set: paid
          ? "#status = :next, paymentStatus = :ps, chargeId = :detail"
          : "#status = :next, paymentStatus = :ps, paymentReason = :detail",
        condition: "#status = :pending",
        values: {
          ":next": S(paid ? "PAID" : "PAYMENT_FAILED"),
          ":ps": S(payment.status),
          ":detail": S(paid ? payment.chargeId : payment.reason),
          ":pending": S("PENDING"),
        },
      },
    );
  }

  recordInventory(orderId: string, at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      { event: "INVENTORY_RESERVED", at, by: "inventory" },
      {
        set: "inventoryStatus = :reserved",
        condition: "attribute_not_exists(inventoryStatus) AND #status IN (:pending, :paid)",
        values: { ":reserved": S("RESERVED"), ":pending": S("PENDING"), ":paid": S("PAID") },
      },
    );
  }

  recordNotification(orderId: string, at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      { event: "CUSTOMER_NOTIFIED", at, by: "notification" },
      {
        set: "notifiedAt = :at",
        condition: "attribute_not_exists(notifiedAt)",
        values: {},
      },
    );
  }

  finalize(orderId: string, by: "payment" | "inventory", at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      { event: "COMPLETED", at, by },
      {
        set: "#status = :completed, finalizedBy = :by",
        condition: "#status = :paid AND inventoryStatus = :reserved",
        values: { ":completed": S("COMPLETED"), ":by": S(by), ":paid": S("PAID"), ":reserved": S("RESERVED") },
      },
    );
  }

  reject(orderId: string, reason: string, at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      { event: "REJECTED", at, by: "api" },
      {
        set: "#status = :rejected, rejectedReason = :reason",
        condition: "#status = :pending",
        values: { ":rejected": S("REJECTED"), ":reason": S(reason), ":pending": S("PENDING") },
      },
    );
  }

  async countByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    let startKey: Item | undefined;
    do {
      const out = await this.#client.send(
        new ScanCommand({
          TableName: this.#table,
          ProjectionExpression: "#status",
          ExpressionAttributeNames: { "#status": "status" },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const status = item.status?.S ?? "UNKNOWN";
        counts[status] = (counts[status] ?? 0) + 1;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return counts;
  }

  async #update(
    orderId: string,
    entry: { event: OrderEventName; at: string; by: OrderBranch },
    update: ConditionalUpdate,
  ): Promise<ConditionalWrite> {
    const usesStatus = update.set.includes("#status") || update.condition.includes("#status");
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { orderId: S(orderId) },
          UpdateExpression: `SET ${update.set}, updatedAt = :at, history = list_append(history, :entry)`,
          ConditionExpression: `attribute_exists(orderId) AND ${update.condition}`,
          // DynamoDB rejects names the expressions do not use, and `status` is a reserved word.
          ...(usesStatus ? { ExpressionAttributeNames: { "#status": "status" } } : {}),
          ExpressionAttributeValues: {
            ...update.values,
            ":at": S(entry.at),
            ":entry": { L: [historyItem(entry)] },
          },
        }),
      );
      return "applied";
    } catch (err) {
      if (
        !(err instanceof ConditionalCheckFailedException || (err as Error).name === "ConditionalCheckFailedException")
      ) {
        throw err;
      }
      return (await this.get(orderId)) === undefined ? "missing" : "skipped";
    }
  }
}

/**
 * Creates the order table (on demand, partition key `orderId`) if it does not exist and waits until it is
 * ACTIVE. For the `local` backend and `scripts/aws-resources.ts`; a deployed stack defines it in CDK.
 * @returns false when the table already existed.
 */
export async function createOrdersTable(
  client: DynamoDBClient,
  tableName: string,
  maxWaitSeconds = 120,
): Promise<boolean> {
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "orderId", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "orderId", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (err) {
    if ((err as Error).name !== "ResourceInUseException") throw err;
    created = false;
  }
  await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1 }, { TableName: tableName });
  return created;
}

function historyItem(entry: OrderHistoryEntry): AttributeValue {
  return { M: { event: S(entry.event), at: S(entry.at), by: S(entry.by) } };
}

function toItem(order: Order): Item {
  const item: Item = {
    orderId: S(order.orderId),
    status: S(order.status),
    customerId: S(order.customerId),
    currency: S(order.currency),
    totalCents: { N: String(order.totalCents) },
    items: S(JSON.stringify(order.items)),
    createdAt: S(order.createdAt),
    updatedAt: S(order.updatedAt),
    history: { L: order.history.map(historyItem) },
  };
  if (order.payment?.status === "PAID") {
    item.paymentStatus = S("PAID");
    item.chargeId = S(order.payment.chargeId);
  } else if (order.payment?.status === "FAILED") {
    item.paymentStatus = S("FAILED");
    item.paymentReason = S(order.payment.reason);
  }
  if (order.inventory) item.inventoryStatus = S(order.inventory.status);
  if (order.notifiedAt) item.notifiedAt = S(order.notifiedAt);
  if (order.finalizedBy) item.finalizedBy = S(order.finalizedBy);
  if (order.rejectedReason) item.rejectedReason = S(order.rejectedReason);
  return item;
}

function fromItem(item: Item): Order {
  const str = (name: string): string | undefined => item[name]?.S;
  const payment: PaymentRecord | undefined =
    str("paymentStatus") === "PAID"
      ? { status: "PAID", chargeId: str("chargeId") ?? "" }
      : str("paymentStatus") === "FAILED"
        ? { status: "FAILED", reason: str("paymentReason") ?? "" }
        : undefined;
  const history = (item.history?.L ?? []).map((entry): OrderHistoryEntry => {
    const m = entry.M ?? {};
    return { event: m.event?.S as OrderEventName, at: m.at?.S ?? "", by: m.by?.S as OrderBranch };
  });
  const finalizedBy = str("finalizedBy") as Order["finalizedBy"];
  const notifiedAt = str("notifiedAt");
  const rejectedReason = str("rejectedReason");
  return {
    orderId: str("orderId") ?? "",
    status: str("status") as OrderStatus,
    customerId: str("customerId") ?? "",
    items: JSON.parse(str("items") ?? "[]") as OrderItem[],
    currency: str("currency") ?? "",
    totalCents: Number(item.totalCents?.N ?? 0),
    createdAt: str("createdAt") ?? "",
    updatedAt: str("updatedAt") ?? "",
    history,
    ...(payment ? { payment } : {}),
    ...(str("inventoryStatus") === "RESERVED" ? { inventory: { status: "RESERVED" as const } } : {}),
    ...(notifiedAt ? { notifiedAt } : {}),
    ...(finalizedBy ? { finalizedBy } : {}),
    ...(rejectedReason ? { rejectedReason } : {}),
  };
}
