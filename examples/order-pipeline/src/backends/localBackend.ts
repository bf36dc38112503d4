import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "@resilient-jobs/core";
import { type RunningPeer, startDynamoPeer, startSqsPeer } from "../../../../test-support/peers.js";
import type { TimeScale } from "../timeScale.js";
import { connectAwsBackend } from "./awsBackend.js";
import { type AwsClients, createPipelineResources, type PipelineResources } from "./awsResources.js";
import { type Backend, QUEUE_NAMES, type QueueName } from "./Backend.js";
import { queueVisibilitySeconds } from "./queueSettings.js";

/** Options of {@link createLocalBackend}. */
export interface LocalBackendOptions {
  timeScale: TimeScale;
  processor?: "ecs" | "lambda";
  logger: Logger;
}

/**
 * The `local` backend: starts fauxqs (SQS + SNS) and dynalite (DynamoDB) in this process on loopback, creates
 * the topic, the queues with their DLQs and redrive policies, the subscriptions and the tables, and connects
 * the AWS backend to them. `close()` stops the emulators. SQS speaks whole seconds, so queue visibility
 * timeouts shrink with the time scale only down to 1 s.
 */
export async function createLocalBackend(options: LocalBackendOptions): Promise<Backend> {
  const [sqsPeer, dynamoPeer] = await Promise.all([startSqsPeer(), startDynamoPeer()]);
  const stopPeers = async () => {
    await Promise.allSettled([sqsPeer.stop(), dynamoPeer.stop()]);
  };
  try {
    const { clients, resources } = await setUpOnPeers(sqsPeer, dynamoPeer, options.timeScale, options.processor);
    return await connectAwsBackend({ name: "local", clients, resources, logger: options.logger, onClose: stopPeers });
  } catch (error) {
    await stopPeers();
    throw error;
  }
}

/**
 * Points the SDK clients at running emulators and creates the pipeline's resources on them, each queue's
 * visibility timeout scaled like the rest of the run (SQS speaks whole seconds: never below 1 s).
 */
export async function setUpOnPeers(
  sqsPeer: RunningPeer,
  dynamoPeer: RunningPeer,
  timeScale: TimeScale,
  processor: "ecs" | "lambda" = "ecs",
): Promise<{ clients: AwsClients; resources: PipelineResources }> {
  const clients: AwsClients = {
    sqs: new SQSClient(sqsPeer.clientConfig),
    sns: new SNSClient(sqsPeer.clientConfig),
    dynamo: new DynamoDBClient(dynamoPeer.clientConfig),
  };
  const visibilitySeconds = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, timeScale.seconds(queueVisibilitySeconds(name, processor))]),
  ) as Record<QueueName, number>;
  return { clients, resources: await createPipelineResources(clients, { visibilitySeconds }) };
}
