import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { QueueName } from "../../src/backends/Backend.js";
import type { OrderMessaging } from "./OrderMessaging.js";

/**
 * Oldest message older than this (for three minutes) means the consumers are not keeping up: at the target
 * backlog a message waits ~30 s, and the study's 100 workers drained a flash sale in ~2 minutes.
 */
export const OLDEST_MESSAGE_ALARM_SECONDS = 300;

/** Error lines per 5 minutes that page: one poison message (its DLQ alarm fires anyway) should not. */
export const PROCESSOR_ERRORS_ALARM_THRESHOLD = 5;

/** The custom metric counting the processors' error log lines. */
export const PROCESSOR_ERRORS_METRIC = Object.freeze({ namespace: "OrderPipeline", metricName: "ProcessorErrors" });

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  readonly messaging: OrderMessaging;
  /** The queues some processor consumes (their age of oldest message is watched). */
  readonly consumedQueues: readonly QueueName[];
  /** Log groups of the processors, whose JSON error lines (`"level":"error"`) are counted. */
  readonly processorLogGroups: readonly logs.ILogGroup[];
  /** Payment functions, whose Errors metric is watched. */
  readonly functions: readonly lambda.IFunction[];
  /** More queues whose depth > 0 needs an operator (the SNS variant's on-failure destination). */
  readonly extraDeadLetterQueues: readonly sqs.IQueue[];
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
}

/**
 * The alarms the study's observability list asks for, all sent to one encrypted alarm topic: age of the
 * oldest message per consumed queue, any message in a DLQ, and processor errors (error log lines, and
 * function errors on Lambda).
 */
export class PipelineAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic under the AWS managed aws/sns key: it needs a key whose policy
    // lets the service in, for this account's alarms only.
    const key = new kms.Key(this, "AlarmTopicKey", {
      description: "Encrypts the order pipeline's alarm topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"], // in a key policy, "*" is this key
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, "AlarmTopic", { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const name of props.consumedQueues) {
      this.#add(`${name}OldestMessage`, {
        metric: props.messaging.queues[name].queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: OLDEST_MESSAGE_ALARM_SECONDS,
        evaluationPeriods: 3,
        alarmDescription: `Orders wait more than ${OLDEST_MESSAGE_ALARM_SECONDS} s in the ${name} queue: the consumers are behind or stopped. See docs/deploy.md#alarms.`,
      });
    }
    const deadLetterQueues = [
      ...Object.entries(props.messaging.queues).map(([name, q]) => [name, q.deadLetterQueue] as const),
      ...props.extraDeadLetterQueues.map((queue, i) => [`failures${i + 1}`, queue] as const),
    ];
    for (const [name, queue] of deadLetterQueues) {
      this.#add(`${name}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        evaluationPeriods: 1,
        alarmDescription: `Messages in ${name}'s dead-letter queue: find the cause before replaying (docs/deploy.md#alarms).`,
      });
    }

    const errors = new cloudwatch.Metric({
      ...PROCESSOR_ERRORS_METRIC,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
    props.processorLogGroups.forEach((logGroup, i) => {
      new logs.MetricFilter(this, `ProcessorErrorLines${i}`, {
        logGroup,
        metricNamespace: PROCESSOR_ERRORS_METRIC.namespace,
        metricName: PROCESSOR_ERRORS_METRIC.metricName,
        filterPattern: logs.FilterPattern.stringValue("$.level", "=", "error"),
        metricValue: "1",
        defaultValue: 0,
      });
    });
    this.#add("ProcessorErrors", {
      metric: errors,
      threshold: PROCESSOR_ERRORS_ALARM_THRESHOLD - 1,
      evaluationPeriods: 1,
      alarmDescription: `At least ${PROCESSOR_ERRORS_ALARM_THRESHOLD} error lines in 5 minutes from the processors.`,
    });
    props.functions.forEach((fn, i) => {
      this.#add(`FunctionErrors${i}`, {
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        evaluationPeriods: 1,
        alarmDescription: "The payment function failed whole invocations (timeouts, crashes), not single records.",
      });
    });
  }

  #add(id: string, options: Omit<cloudwatch.AlarmProps, "comparisonOperator" | "treatMissingData">): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...options,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // An idle queue publishes no datapoints for a while: silence is not a breach.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
