import { describe, expect, it } from "vitest";
import { RESOURCE_ENV, resourcesAsEnv, resourcesFromEnv } from "./awsResources.js";

const resources = {
  topicArn: "arn:aws:sns:eu-west-1:123456789012:orders",
  queueUrls: {
    payment: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-payment",
    inventory: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-inventory",
    notification: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-notification",
  },
  ordersTable: "dev-orders",
  idempotencyTable: "dev-orders-idempotency",
};

describe("aws backend environment", () => {
  it("reads back what the create script prints", () => {
    const env = Object.fromEntries(
      resourcesAsEnv(resources).map((line) => line.replace(/^export /, "").split("=") as [string, string]),
    );

    expect(resourcesFromEnv(env)).toEqual(resources);
  });

  it("names every missing variable and how to create the resources", () => {
    expect(() => resourcesFromEnv({ [RESOURCE_ENV.topicArn]: resources.topicArn })).toThrow(
      /ORDERS_PAYMENT_QUEUE_URL, ORDERS_INVENTORY_QUEUE_URL, ORDERS_NOTIFICATION_QUEUE_URL.*aws-resources/,
    );
  });

  it("defaults the table names to the shared config's", () => {
    const env = Object.fromEntries(
      resourcesAsEnv(resources)
        .filter((line) => !line.includes("TABLE"))
        .map((line) => line.replace(/^export /, "").split("=") as [string, string]),
    );

    expect(resourcesFromEnv(env)).toMatchObject({ ordersTable: "orders", idempotencyTable: "orders-idempotency" });
  });
});
