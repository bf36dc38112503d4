import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { pipelineConfig } from "../../src/config.js";

/**
 * The TTL attribute of both tables, epoch seconds. It is the default `expiryAttribute` of core's
 * `DynamoDBIdempotencyStore`, which writes it on every record (`pipelineConfig.idempotencyTtlSeconds` ahead).
 */
export const TTL_ATTRIBUTE = "expiration";

/** Props of {@link OrderTables}. */
export interface OrderTablesProps {
  /** Prepended to every name (as the app's `createPipelineResources` does). */
  readonly prefix: string;
}

/**
 * The order table (partition key `orderId`, what `DynamoOrderStore` reads and writes) and the idempotency
 * table (partition key `id`, what `DynamoDBIdempotencyStore` expects). Both on demand: a flash sale is a
 * burst, and provisioned capacity sized for it would sit idle the rest of the month.
 */
export class OrderTables extends Construct {
  readonly orders: dynamodb.Table;
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string, props: OrderTablesProps) {
    super(scope, id);
    this.orders = this.#table("OrdersTable", props.prefix + pipelineConfig.tables.orders, "orderId");
    this.idempotency = this.#table("IdempotencyTable", props.prefix + pipelineConfig.tables.idempotency, "id");
  }

  #table(id: string, tableName: string, partitionKey: string): dynamodb.Table {
    return new dynamodb.Table(this, id, {
      tableName,
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Idempotency records expire by themselves; on the order table the attribute is there for retention
      // rules (the example does not set it, so orders are kept).
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Encrypted at rest with the AWS managed key aws/dynamodb (visible in the template, unlike the default).
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // An example stack: `npm run destroy` removes the data too. A production table would RETAIN.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
