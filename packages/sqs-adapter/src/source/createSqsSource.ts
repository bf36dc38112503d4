import { requireRegion } from "./requireRegion.js";
import { SqsSource } from "./SqsSource.js";
import type { SqsSourceOptions } from "./sqsSourceOptions.js";

/**
 * Builds an {@link SqsSource} and reads the queue's VisibilityTimeout (so the consumer can check its handler
 * timeout and heartbeat against it) and RedrivePolicy (so permanent failures go to its dead-letter queue at
 * once, with the reason) in one GetQueueAttributes call. Fails fast when the queue does not exist or is not
 * readable. With `visibilityTimeoutMs` given, a failed read of the RedrivePolicy only logs a warning (the
 * queue's redrive policy then handles permanent failures); with `deadLetterQueueUrl` or `deadLetter: false`
 * as well, no call is made. Either way a client without a region fails here, with what to set.
 */
export async function createSqsSource(options: SqsSourceOptions): Promise<SqsSource> {
  const source = new SqsSource(options);
  await requireRegion(source.client, source.queueUrl).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  if (source.visibilityTimeoutMs === undefined) {
    await source.readVisibilityTimeout();
  } else {
    await source.readRedrivePolicy().catch((error: unknown) => {
      options.logger?.warn("sqs could not read the RedrivePolicy; permanent failures are left to SQS's redrive", {
        queueUrl: source.queueUrl,
        error,
      });
    });
  }
  return source;
}
