import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import * as eventSources from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { pipelineConfig } from "../../src/config.js";
import type { OrderMessaging } from "./OrderMessaging.js";
import type { OrderTables } from "./OrderTables.js";
import { grantIdempotencyStore, grantOrderStore } from "./permissions.js";

/**
 * Memory of the payment functions. The study's function used 18-19 MB of 512 MB on a job that is a 3 s wait;
 * 256 MB halves the GB-seconds and still gives the init (bundled code, clients) a fair share of CPU.
 */
export const PAYMENT_FUNCTION_MEMORY_MB = 256;

/** Lambda's async invocation retries (the study: SNS -> Lambda retried twice, then dropped or sent on). */
export const SNS_FUNCTION_RETRY_ATTEMPTS = 2;

/** Props of {@link PaymentFunctions}. */
export interface PaymentFunctionsProps {
  /** `lambda`: SQS event source mapping on the payment queue; `lambda-sns`: subscribed to the topic. */
  readonly variant: "lambda" | "lambda-sns";
  readonly prefix: string;
  /** The bundled Lambda code (`bundleAssets`). */
  readonly lambdaDir: string;
  readonly messaging: OrderMessaging;
  readonly tables: OrderTables;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The payment processor on Lambda, ARM64. With `lambda`, an SQS event source mapping feeds the function
 * batches from the payment queue and deletes only the records it did not report in `batchItemFailures`.
 * With `lambda-sns`, the function is subscribed to the topic (asynchronous invocations): Lambda retries a
 * failed event twice, then sends it to an on-failure destination queue instead of dropping it.
 */
export class PaymentFunctions extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /** `lambda-sns` only: where Lambda sends the invocation records of events it gave up on. */
  readonly failureQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: PaymentFunctionsProps) {
    super(scope, id);
    const { messaging, tables, variant } = props;
    const settings = pipelineConfig.lambda;
    const paymentQueue = messaging.queues.payment.queue;
    checkVisibilityRule(settings.queueVisibilityTimeoutSeconds, settings.timeoutSeconds);

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role: the managed AWSLambdaBasicExecutionRole would allow writing to every log group ("*").
    const role = new iam.Role(this, "Role", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, "Function", {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: PAYMENT_FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(settings.timeoutSeconds),
      code: lambda.Code.fromAsset(props.lambdaDir),
      handler: variant === "lambda" ? "sqsPayment.handler" : "snsPayment.handler",
      role,
      logGroup: this.logGroup,
      environment: { ...props.environment, NODE_OPTIONS: "--enable-source-maps" },
      description: `Order pipeline payment processor (${variant === "lambda" ? "SQS event source" : "SNS subscription"})`,
    });
    grantOrderStore(role, tables.orders);
    grantIdempotencyStore(role, tables.idempotency);

    if (variant === "lambda") {
      // The mapping's own permissions (receive, delete, visibility, attributes) are granted on this queue only.
      this.function.addEventSource(
        new eventSources.SqsEventSource(paymentQueue, {
          batchSize: settings.batchSize,
          maxBatchingWindow: Duration.seconds(settings.maximumBatchingWindowSeconds),
          reportBatchItemFailures: true,
          // Caps the pollers' concurrent invocations, so a flash sale cannot take the account's whole concurrency.
          maxConcurrency: settings.maximumConcurrency,
        }),
      );
      return;
    }

    this.failureQueue = new sqs.Queue(this, "FailureQueue", {
      queueName: `${props.prefix}${pipelineConfig.queues.payment}-sns-failures`,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.failureQueue),
      retryAttempts: SNS_FUNCTION_RETRY_ATTEMPTS,
      maxEventAge: Duration.hours(1),
    });
    messaging.topic.addSubscription(new subscriptions.LambdaSubscription(this.function));
  }
}

/**
 * AWS's rule for SQS event sources: the queue's visibility timeout at least six times the function timeout,
 * so a batch retried after throttling is not redelivered while a first attempt still runs.
 * @throws Error when `pipelineConfig.lambda` breaks it.
 */
export function checkVisibilityRule(queueVisibilitySeconds: number, functionTimeoutSeconds: number): void {
  if (queueVisibilitySeconds < 6 * functionTimeoutSeconds) {
    throw new Error(
      `Expected \`lambda.queueVisibilityTimeoutSeconds\` to be at least 6 x lambda.timeoutSeconds (${6 * functionTimeoutSeconds}), got ${queueVisibilitySeconds}`,
    );
  }
}
