import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { QUEUE_NAMES } from "../src/backends/Backend.js";
import type { PipelineAssets } from "./assets.js";
import { type NetworkLogOptions, NetworkLogs } from "./constructs/NetworkLogs.js";
import { OrderMessaging } from "./constructs/OrderMessaging.js";
import { OrderServices } from "./constructs/OrderServices.js";
import { OrderTables } from "./constructs/OrderTables.js";
import { PaymentFunctions } from "./constructs/PaymentFunctions.js";
import { PipelineAlarms } from "./constructs/PipelineAlarms.js";
import type { PaymentProcessorKind } from "./constructs/processorKind.js";
import { OUTPUT_KEYS, PIPELINE_ENV } from "./outputs.js";

/** Props of {@link OrderPipelineStack}. */
export interface OrderPipelineStackProps extends StackProps {
  /** The bundled container and Lambda code (`bundleAssets`). */
  readonly assets: PipelineAssets;
  /**
   * Who consumes payment orders (`-c processor=...`).
   * @defaultValue "ecs"
   */
  readonly processor?: PaymentProcessorKind;
  /**
   * Prepended to every resource name, so two copies can share an account (`-c prefix=dev-`).
   * @defaultValue ""
   */
  readonly prefix?: string;
  /**
   * Where alarm notifications go (`-c alarmEmail=ops@example.com`; confirm the subscription e-mail).
   * @defaultValue no subscription: read the alarms in the console
   */
  readonly alarmEmail?: string;
  /**
   * The optional network logs (`-c vpcFlowLogs=false`, `-c albAccessLogs=false`).
   * @defaultValue both on
   */
  readonly logs?: NetworkLogOptions;
}

/**
 * The flash-sale order pipeline on AWS: the orders topic fanned out to three queues with DLQs, the order and
 * idempotency tables, the order API and order processor on Fargate, the payment processor on Fargate or
 * Lambda, and the alarms. Environment-agnostic (no account or region lookups), so it synthesizes offline.
 */
export class OrderPipelineStack extends Stack {
  readonly messaging: OrderMessaging;
  readonly tables: OrderTables;
  readonly services: OrderServices;
  readonly networkLogs: NetworkLogs;
  readonly payments?: PaymentFunctions;
  readonly alarms: PipelineAlarms;

  constructor(scope: Construct, id: string, props: OrderPipelineStackProps) {
    super(scope, id, props);
    const processor = props.processor ?? "ecs";
    const prefix = props.prefix ?? "";

    this.messaging = new OrderMessaging(this, "Messaging", { prefix, processor });
    this.tables = new OrderTables(this, "Tables", { prefix });
    const { topic, queues } = this.messaging;
    const environment: Record<string, string> = {
      [PIPELINE_ENV.topicArn]: topic.topicArn,
      [PIPELINE_ENV.queueUrls.payment]: queues.payment.queue.queueUrl,
      [PIPELINE_ENV.queueUrls.inventory]: queues.inventory.queue.queueUrl,
      [PIPELINE_ENV.queueUrls.notification]: queues.notification.queue.queueUrl,
      [PIPELINE_ENV.ordersTable]: this.tables.orders.tableName,
      [PIPELINE_ENV.idempotencyTable]: this.tables.idempotency.tableName,
      // The app's `--processor`: the processor container leaves the payment queue to Lambda unless "ecs".
      ORDERS_PROCESSOR: processor,
    };

    this.services = new OrderServices(this, "Services", {
      processor,
      containerDir: props.assets.containerDir,
      messaging: this.messaging,
      tables: this.tables,
      environment,
    });
    this.networkLogs = new NetworkLogs(this, "NetworkLogs", {
      ...props.logs,
      vpc: this.services.vpc,
      loadBalancer: this.services.api.loadBalancer,
    });
    if (processor !== "ecs") {
      this.payments = new PaymentFunctions(this, "Payments", {
        variant: processor,
        prefix,
        lambdaDir: props.assets.lambdaDir,
        messaging: this.messaging,
        tables: this.tables,
        environment,
      });
    }

    this.alarms = new PipelineAlarms(this, "Alarms", {
      messaging: this.messaging,
      // The SNS variant bypasses the payment queue: its age would always be zero.
      consumedQueues: processor === "lambda-sns" ? ["inventory", "notification"] : QUEUE_NAMES,
      processorLogGroups: [this.services.processorLogGroup, ...(this.payments ? [this.payments.logGroup] : [])],
      functions: this.payments ? [this.payments.function] : [],
      extraDeadLetterQueues: this.payments?.failureQueue ? [this.payments.failureQueue] : [],
      alarmEmail: props.alarmEmail,
    });

    this.#outputs(processor);
  }

  // Output ids are the keys the app's reader (infra/outputs.ts) looks up in the outputs file.
  #outputs(processor: PaymentProcessorKind): void {
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    const { topic, queues } = this.messaging;
    output(OUTPUT_KEYS.region, this.region, "Region the pipeline runs in");
    output(OUTPUT_KEYS.topicArn, topic.topicArn, "The orders topic");
    for (const name of QUEUE_NAMES) {
      output(OUTPUT_KEYS.queueUrls[name], queues[name].queue.queueUrl, `The ${name} queue`);
      output(OUTPUT_KEYS.deadLetterQueueUrls[name], queues[name].deadLetterQueue.queueUrl, `The ${name} DLQ`);
    }
    output(OUTPUT_KEYS.ordersTable, this.tables.orders.tableName, "The order table");
    output(OUTPUT_KEYS.idempotencyTable, this.tables.idempotency.tableName, "The idempotency table");
    output(
      OUTPUT_KEYS.apiUrl,
      `http://${this.services.api.loadBalancer.loadBalancerDnsName}`,
      "The order API (POST /orders/async)",
    );
    output(OUTPUT_KEYS.processor, processor, "Who consumes payment orders: ecs, lambda or lambda-sns");
  }
}
