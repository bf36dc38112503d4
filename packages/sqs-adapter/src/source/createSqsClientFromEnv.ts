import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { parseQueueUrl } from "../ops/queueRefs.js";

/**
 * Builds an SQS client from the standard AWS environment (region, credentials chain,
 * `AWS_ENDPOINT_URL_SQS`). `env` defaults to `process.env`. With `queueUrl`, a region missing from the
 * environment is taken from the queue URL's host (see {@link sqsClientConfigFromEnv}).
 */
export function createSqsClientFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  queueUrl?: string,
): SQSClient {
  return new SQSClient(sqsClientConfigFromEnv(env, queueUrl));
}

/**
 * The client config {@link createSqsClientFromEnv} uses.
 *
 * When `AWS_ENDPOINT_URL_SQS` is set (a local emulator, a VPC endpoint), the SDK would otherwise send each
 * call to the host of the queue URL (`sqs.us-east-1.localhost` on emulators), which does not resolve: so the
 * configured endpoint must win over the queue URL.
 *
 * The region, as the `resilient-jobs` CLI picks it: the region the queue URL names
 * (`sqs.eu-west-1.amazonaws.com`), else `AWS_REGION`, else `AWS_DEFAULT_REGION` (both from `env`), else the
 * SDK's chain (the profile's region). A queue URL's region is the only one its requests can be signed for: the
 * SDK sends them to the URL's host, so a worker whose environment names another region (a Lambda or ECS task in
 * us-east-1 reading an eu-west-1 queue) would fail to sign; and a worker started with just `QUEUE_URL` works
 * instead of failing with "Region is missing".
 */
export function sqsClientConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  queueUrl?: string,
): SQSClientConfig {
  const config: SQSClientConfig = env.AWS_ENDPOINT_URL_SQS ? { useQueueUrlAsEndpoint: false } : {};
  const region =
    (queueUrl === undefined ? undefined : parseQueueUrl(queueUrl)?.region) || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  return region ? { ...config, region } : config;
}
