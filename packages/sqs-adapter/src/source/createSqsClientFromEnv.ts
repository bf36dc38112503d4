import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";

/**
 * Builds an SQS client from the standard AWS environment (region, credentials chain,
 * `AWS_ENDPOINT_URL_SQS`). `env` defaults to `process.env`.
 */
export function createSqsClientFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SQSClient {
  return new SQSClient(sqsClientConfigFromEnv(env));
}

/**
 * The client config {@link createSqsClientFromEnv} uses. When `AWS_ENDPOINT_URL_SQS` is set
 * (a local emulator, a VPC endpoint), the SDK would otherwise send each call to the host of
 * the queue URL (`sqs.us-east-1.localhost` on emulators), which does not resolve: so the
 * configured endpoint must win over the queue URL.
 */
export function sqsClientConfigFromEnv(env: Readonly<Record<string, string | undefined>>): SQSClientConfig {
  return env.AWS_ENDPOINT_URL_SQS ? { useQueueUrlAsEndpoint: false } : {};
}
