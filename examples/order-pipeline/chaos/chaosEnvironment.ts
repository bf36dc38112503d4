/**
 * Everything the chaos run's workers share: fauxqs and dynalite (the `local` backend's emulators, each in its
 * own process) with the pipeline's resources, and in the harness process the fault proxy in front of SQS, the
 * shared payment gateway, and the order API on the app's `aws` backend code pointed at the emulators.
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { createJsonLogger } from "@resilient-jobs/core";
import { type OrderApi, startOrderApi } from "../src/api/httpServer.js";
import { createOrderService } from "../src/api/orderService.js";
import { connectAwsBackend } from "../src/backends/awsBackend.js";
import { type AwsClients, type PipelineResources, RESOURCE_ENV } from "../src/backends/awsResources.js";
import { type Backend, QUEUE_NAMES, type QueueName } from "../src/backends/Backend.js";
import { setUpOnPeers } from "../src/backends/localBackend.js";
import { pipelineConfig } from "../src/config.js";
import { PaymentGatewaySimulator } from "../src/payment/PaymentGatewaySimulator.js";
import { createPaymentService, type PaymentService } from "../src/payment/paymentService.js";
import type { Random } from "../src/random.js";
import type { TimeScale } from "../src/timeScale.js";
import { type FaultProxy, startFaultProxy } from "./faultProxy.js";
import { type GatewayService, startGatewayService } from "./gatewayService.js";
import type { ChaosOptions } from "./options.js";
import { startPeerProcess } from "./peerProcesses.js";

/** Dummy credentials that look real: they must never show up in a log. */
export const CANARY_CREDENTIALS = Object.freeze({
  accessKeyId: "AKIACHAOSCANARY7Q2X",
  secretAccessKey: "chaosCanarySecretKey/9f8e7d6c5b4a3",
});

/** The shared parts of a chaos run. */
export interface ChaosEnvironment {
  readonly clients: AwsClients;
  readonly resources: PipelineResources;
  readonly deadLetterUrls: Readonly<Record<QueueName, string>>;
  readonly gateway: PaymentGatewaySimulator;
  readonly gatewayUrl: string;
  /** Gateway calls answered 503 during the outage, per order. */
  readonly rejectedDuringOutage: (orderId: string) => number;
  readonly proxy: FaultProxy;
  readonly apiUrl: string;
  /** The API's log lines (JSON). */
  readonly apiLog: string[];
  readonly backend: Backend;
  /** The environment of a worker process: AWS endpoints (SQS through the proxy), credentials, `ORDERS_*`. */
  readonly workerEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the environment; `close()` stops all of it. */
export async function startChaosEnvironment(
  peerScript: string,
  options: Readonly<ChaosOptions>,
  timeScale: TimeScale,
  random: Random,
): Promise<ChaosEnvironment> {
  const [sqsPeer, dynamoPeer] = await Promise.all([
    startPeerProcess(peerScript, "sqs"),
    startPeerProcess(peerScript, "dynamodb"),
  ]);
  const stops: Array<() => Promise<unknown>> = [() => sqsPeer.stop(), () => dynamoPeer.stop()];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const { clients, resources } = await setUpOnPeers(sqsPeer, dynamoPeer, timeScale);
    const deadLetterUrls = await lookUpDeadLetterUrls(clients.sqs);

    const gateway = new PaymentGatewaySimulator({
      latencyMs: timeScale.ms(options.studyPaymentMs),
      slots: options.gatewaySlots,
    });
    const gatewayService: GatewayService = await startGatewayService(gateway);
    stops.push(() => gatewayService.close());
    const proxy = await startFaultProxy({
      upstream: sqsPeer.endpoint,
      errorRate: options.sqsErrorRate,
      duplicateRate: options.duplicateRate,
      random,
    });
    stops.push(() => proxy.close());

    const apiLog: string[] = [];
    const apiLogFile = options.logDir === undefined ? undefined : createWriteStream(join(options.logDir, "api.log"));
    const logger = createJsonLogger({
      level: "warn",
      base: { app: "order-api" },
      write: (line) => {
        apiLog.push(line);
        apiLogFile?.write(`${line}\n`);
      },
    });
    const backend = await connectAwsBackend({ name: "local", clients, resources, logger });
    stops.push(() => backend.close());
    const payments: PaymentService = createPaymentService({ gateway, idempotency: backend.idempotency, timeScale });
    stops.push(async () => payments.breaker.shutdown());
    const service = createOrderService({
      orders: backend.orders,
      topic: backend.topic,
      payments,
      idempotency: backend.idempotency,
      timeScale,
    });
    const api: OrderApi = await startOrderApi({ service, orders: backend.orders, logger, port: 0, health: () => ({}) });
    stops.push(() => api.close());
    if (apiLogFile) stops.push(() => new Promise((resolve) => apiLogFile.end(resolve)));

    return {
      clients,
      resources,
      deadLetterUrls,
      gateway,
      gatewayUrl: gatewayService.url,
      rejectedDuringOutage: (orderId) => gatewayService.rejectedDuringOutage(orderId),
      proxy,
      apiUrl: api.url,
      apiLog,
      backend,
      workerEnv: workerEnvironment(resources, proxy.url, sqsPeer.endpoint, dynamoPeer.endpoint),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function lookUpDeadLetterUrls(sqs: SQSClient): Promise<Record<QueueName, string>> {
  const urls = await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queueName = pipelineConfig.queues[name] + pipelineConfig.deadLetterSuffix;
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${queueName}`);
      return [name, QueueUrl] as const;
    }),
  );
  return Object.fromEntries(urls) as Record<QueueName, string>;
}

function workerEnvironment(
  resources: PipelineResources,
  sqsEndpoint: string,
  snsEndpoint: string,
  dynamoEndpoint: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: CANARY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CANARY_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_ENDPOINT_URL_SNS: snsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    [RESOURCE_ENV.topicArn]: resources.topicArn,
    [RESOURCE_ENV.queueUrls.payment]: resources.queueUrls.payment,
    [RESOURCE_ENV.queueUrls.inventory]: resources.queueUrls.inventory,
    [RESOURCE_ENV.queueUrls.notification]: resources.queueUrls.notification,
    [RESOURCE_ENV.ordersTable]: resources.ordersTable,
    [RESOURCE_ENV.idempotencyTable]: resources.idempotencyTable,
  };
}
