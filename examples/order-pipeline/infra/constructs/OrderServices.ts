import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecrAssets from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as ecsPatterns from "aws-cdk-lib/aws-ecs-patterns";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { QueueName } from "../../src/backends/Backend.js";
import { pipelineConfig } from "../../src/config.js";
import { PAYMENT_WORKERS_PER_TASK, processorScaling, TASK_SIZE } from "../processorSizing.js";
import { BacklogScaling } from "./BacklogScaling.js";
import type { OrderMessaging } from "./OrderMessaging.js";
import type { OrderTables } from "./OrderTables.js";
import { grantConsumeQueue, grantIdempotencyStore, grantOrderStore, grantQueueStats } from "./permissions.js";
import type { PaymentProcessorKind } from "./processorKind.js";

/** The port the order API listens on inside its container. */
export const API_PORT = 8080;

/** Props of {@link OrderServices}. */
export interface OrderServicesProps {
  readonly processor: PaymentProcessorKind;
  /** The Docker build context bundled by `bundleAssets` (built into an arm64 image at deploy time). */
  readonly containerDir: string;
  readonly messaging: OrderMessaging;
  readonly tables: OrderTables;
  /** The variables every container gets: where the topic, queues and tables are. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The two Fargate services, on ARM64 (Graviton: ~20% cheaper per vCPU-hour than x86): the order API behind a
 * public load balancer, and the order processor that consumes the queues, scaled on backlog per task, on a
 * mix of on-demand and Spot capacity. Both in public subnets with public IPs and no NAT gateway: the tasks
 * only call AWS APIs, and a NAT gateway would cost more than everything else at the study's volumes.
 */
export class OrderServices extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly api: ecsPatterns.ApplicationLoadBalancedFargateService;
  readonly processor: ecs.FargateService;
  readonly processorLogGroup: logs.LogGroup;
  /** The queues the processor service consumes. */
  readonly processorQueues: readonly QueueName[];

  constructor(scope: Construct, id: string, props: OrderServicesProps) {
    super(scope, id);
    const { messaging, tables } = props;
    const stopTimeout = checkedStopTimeout();

    const vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    this.vpc = vpc;
    this.cluster = new ecs.Cluster(this, "Cluster", {
      vpc,
      enableFargateCapacityProviders: true,
      // RunningTaskCount, the denominator of the processor's backlog-per-task metric, comes from Container Insights.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    // Lambda sets AWS_REGION itself (and refuses it); the containers get it here, for the SDK clients.
    const environment = { ...props.environment, AWS_REGION: Stack.of(this).region };
    // Staged at synth, built by `cdk deploy` (Docker needed there, not here).
    const image = ecs.ContainerImage.fromAsset(props.containerDir, { platform: ecrAssets.Platform.LINUX_ARM64 });

    // --- the order API
    const apiTask = this.#taskDefinition("ApiTask");
    const apiLogGroup = this.#logGroup("ApiLogs");
    apiTask.addContainer("api", {
      image,
      command: ["api.mjs"],
      environment: { ...environment, PORT: String(API_PORT), HOST: "0.0.0.0" },
      portMappings: [{ containerPort: API_PORT }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: "api", logGroup: apiLogGroup }),
      stopTimeout,
    });
    this.api = new ecsPatterns.ApplicationLoadBalancedFargateService(this, "Api", {
      cluster: this.cluster,
      taskDefinition: apiTask,
      desiredCount: 1,
      publicLoadBalancer: true,
      assignPublicIp: true,
      taskSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });
    this.api.targetGroup.configureHealthCheck({ path: "/health", healthyHttpCodes: "200" });
    // ECS deregisters a stopping task and waits this long before SIGTERM: the slowest request (the sync
    // path, which customers give up on after 30 s) finishes first.
    this.api.targetGroup.setAttribute("deregistration_delay.timeout_seconds", String(stopTimeout.toSeconds()));
    this.api.service
      .autoScaleTaskCount({ minCapacity: 1, maxCapacity: 4 })
      .scaleOnCpuUtilization("ApiCpu", { targetUtilizationPercent: 60 });
    messaging.topic.grantPublish(apiTask.taskRole);
    grantOrderStore(apiTask.taskRole, tables.orders);
    // The Idempotency-Key of POST /orders/async and the inline charge of /orders/sync.
    grantIdempotencyStore(apiTask.taskRole, tables.idempotency);

    // --- the order processor
    this.processorQueues =
      props.processor === "ecs" ? ["payment", "inventory", "notification"] : ["inventory", "notification"];
    const scaling = processorScaling(props.processor);
    const processorTask = this.#taskDefinition("ProcessorTask");
    this.processorLogGroup = this.#logGroup("ProcessorLogs");
    processorTask.addContainer("processor", {
      image,
      command: ["processor.mjs"],
      environment: { ...environment, ORDERS_PAYMENT_WORKERS: String(PAYMENT_WORKERS_PER_TASK) },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: "processor", logGroup: this.processorLogGroup }),
      // SIGTERM (a deployment, a scale-in, a Spot reclaim) starts the consumer's drain; ECS waits this long
      // before SIGKILL, so the drain deadline always runs out first and nothing is cut mid-handler.
      stopTimeout,
    });
    this.processor = new ecs.FargateService(this, "Processor", {
      cluster: this.cluster,
      taskDefinition: processorTask,
      desiredCount: scaling.minTasks,
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      // One task always on demand, three of every four beyond it on Spot (~70% cheaper). A Spot reclaim is a
      // SIGTERM with two minutes' notice: the drain hands in-flight messages back and another task takes them.
      capacityProviderStrategies: [
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", weight: 3 },
      ],
    });
    for (const name of this.processorQueues) {
      const { queue, deadLetterQueue } = messaging.queues[name];
      grantConsumeQueue(processorTask.taskRole, queue, deadLetterQueue);
    }
    grantOrderStore(processorTask.taskRole, tables.orders);
    grantIdempotencyStore(processorTask.taskRole, tables.idempotency);

    // Every backend object reads each queue's VisibilityTimeout at start and can report depths with DLQs.
    const allQueues = Object.values(messaging.queues).flatMap((q) => [q.queue, q.deadLetterQueue]);
    grantQueueStats(apiTask.taskRole, allQueues);
    grantQueueStats(processorTask.taskRole, allQueues);

    new BacklogScaling(this, "ProcessorScaling", {
      cluster: this.cluster,
      service: this.processor,
      queue: messaging.queues[scaling.queue].queue,
      scaling,
    });
  }

  #taskDefinition(id: string): ecs.FargateTaskDefinition {
    return new ecs.FargateTaskDefinition(this, id, {
      cpu: TASK_SIZE.cpu,
      memoryLimitMiB: TASK_SIZE.memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
  }

  #logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}

/**
 * The containers' stop timeout, `pipelineConfig.ecsStopTimeoutSeconds`, checked against the consumer's drain
 * deadline: SIGKILL must never come before the drain has handed unfinished messages back.
 * @throws Error when the stop timeout is shorter than the drain deadline or above Fargate's 120 s maximum.
 */
export function checkedStopTimeout(
  stopTimeoutSeconds: number = pipelineConfig.ecsStopTimeoutSeconds,
  drainTimeoutMs: number = pipelineConfig.drainTimeoutMs,
): Duration {
  if (stopTimeoutSeconds * 1000 < drainTimeoutMs || stopTimeoutSeconds > 120) {
    throw new Error(
      `Expected \`ecsStopTimeoutSeconds\` to be at least drainTimeoutMs / 1000 (${drainTimeoutMs / 1000}) and at most 120, got ${stopTimeoutSeconds}`,
    );
  }
  return Duration.seconds(stopTimeoutSeconds);
}
