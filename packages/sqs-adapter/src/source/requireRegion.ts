import type { SQSClient } from "@aws-sdk/client-sqs";
import { SqsAdapterError } from "../errors.js";

/**
 * Resolves the client's region before the first call, so a worker without one fails at start with what to set.
 * Without this check the SDK's "Region is missing" surfaces only as the `cause` of `GetQueueAttributes ... failed:
 * Error`, which hides the one thing to fix. No network: the region provider reads the environment and the
 * shared config files.
 */
export async function requireRegion(client: SQSClient, queueUrl: string): Promise<string> {
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch (error) {
    throw regionMissing(queueUrl, error);
  }
  throw regionMissing(queueUrl, undefined);
}

function regionMissing(queueUrl: string, cause: unknown): SqsAdapterError {
  return new SqsAdapterError(
    `Region is missing: no AWS region for ${queueUrl}, and its URL names none (as https://sqs.<region>.amazonaws.com/... does). ` +
      "Set AWS_REGION (or a profile with a region), or pass a `client` built with `region`.",
    { cause, target: queueUrl },
  );
}
