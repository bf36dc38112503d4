import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { parseQueueUrl } from "../ops/queueRefs.js";
import { createKeyObjectSha256 } from "./keyObjectSha256.js";

/**
 * Builds an SQS client from the standard AWS environment (region, credentials chain,
 * `AWS_ENDPOINT_URL_SQS`). `env` defaults to `process.env`. With `queueUrl`, a region missing from the
 * environment is taken from the queue URL's host (see {@link sqsClientConfigFromEnv}).
 *
 * The client skips SDK work whose result nobody reads, and one cost Node 24 adds:
 * - the MD5 check of each message body (see {@link sqsClientConfigFromEnv});
 * - the SDK's logger middleware: this client has no logger (the SDK's no-op one), yet the middleware copies
 *   every request and response, each received message included, through the SDK's sensitive-data filter
 *   before handing the copy to the no-op (~3 µs per message, docs/benchmarks.md);
 * - re-importing HMAC keys: it signs with keys imported once (keyObjectSha256.ts; Node 24 imports a raw key on every
 *   HMAC, and SigV4 makes two per request).
 *
 * A client you pass in yourself keeps all of these.
 */
export function createSqsClientFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  queueUrl?: string,
): SQSClient {
  const client = new SQSClient({ ...sqsClientConfigFromEnv(env, queueUrl), sha256: createKeyObjectSha256() });
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}

/** The name the SDK gives its logger middleware (@aws-sdk/core), stable across v3. */
export const SDK_LOGGER_MIDDLEWARE = "loggerMiddleware";

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
 *
 * `md5: false`: the SDK would hash every received body (and every body sent) with MD5 to compare with the
 * digest SQS returns. Over HTTPS, TLS already detects any change on the wire, and an MD5 proves nothing about
 * who wrote the body, so the check only costs CPU (~9 µs per message, the largest item the SDK lets us skip,
 * docs/benchmarks.md); it also fails on FIPS hosts where MD5 is disabled.
 */
export function sqsClientConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  queueUrl?: string,
): SQSClientConfig {
  const config: SQSClientConfig = { md5: false };
  if (env.AWS_ENDPOINT_URL_SQS) config.useQueueUrlAsEndpoint = false;
  const region =
    (queueUrl === undefined ? undefined : parseQueueUrl(queueUrl)?.region) || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) config.region = region;
  return config;
}
