/**
 * The dead-letter step of {@link SqsSource}: send the message to the DLQ with the reason, then delete it from
 * its queue, in that order.
 *
 *   send ok, delete ok      -> in the DLQ only
 *   send ok, delete fails   -> in both: received again here, copied again later (FIFO: deduplicated within 5 min)
 *   send fails              -> still only here: visible again after its visibility timeout; the RedrivePolicy
 *                              still moves it after maxReceiveCount receives
 *
 * Never the other order: a delete before a failed send would lose the message.
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { BatchOutcome, DeadLetterReason, Logger, QueueMessage } from "@resilient-jobs/core";
import { DeadLetterFailedError, normalizeAwsError } from "../errors.js";
import { parseQueueArn, parseRedrivePolicy, queueUrlForArn } from "../ops/queueRefs.js";
import { buildDeadLetter } from "./deadLetterMessage.js";

/** What the sender needs from its source. */
export interface DeadLetterSenderDeps {
  readonly client: SQSClient;
  /** The queue messages come from (written into the reason attributes). */
  readonly queueUrl: string;
  readonly fifo: boolean;
  /** Deletes the original (the source's batched, retrying delete). */
  readonly deleteFromSource: (message: QueueMessage) => Promise<BatchOutcome>;
}

/** A dead-letter queue in use by a source. */
export interface DeadLetterSender {
  /** Sends then deletes; a standalone function, since the consumer may call it detached from the source. */
  readonly deadLetter: (message: QueueMessage, reason: DeadLetterReason) => Promise<void>;
  /** The DLQ's URL, or its ARN until the URL was looked up. */
  readonly target: string;
  /** The ARN it was created from (RedrivePolicy), if any. */
  readonly arn: string | undefined;
}

/**
 * A sender to the queue at `url`, or to the queue with ARN `arn`, whose URL is looked up once (GetQueueUrl
 * with the ARN's name and account, so a DLQ in another account resolves) on the first dead letter. A failed
 * lookup fails that dead letter and is tried again on the next.
 */
export function createDeadLetterSender(
  dlq: { readonly url: string } | { readonly arn: string },
  deps: DeadLetterSenderDeps,
): DeadLetterSender {
  const arn = "arn" in dlq ? dlq.arn : undefined;
  let url = "url" in dlq ? dlq.url : undefined;
  let lookup: Promise<string> | undefined;

  const resolveUrl = (): Promise<string> => {
    if (url !== undefined) return Promise.resolve(url);
    lookup ??= queueUrlForArn(deps.client, arn as string).then(
      (found) => {
        url = found;
        return found;
      },
      (error: unknown) => {
        lookup = undefined;
        throw error;
      },
    );
    return lookup;
  };

  const deadLetter = async (message: QueueMessage, reason: DeadLetterReason): Promise<void> => {
    let dlqUrl: string;
    try {
      dlqUrl = await resolveUrl();
      await deps.client.send(new SendMessageCommand({ QueueUrl: dlqUrl, ...buildDeadLetter(message, reason, deps) }));
    } catch (error) {
      const target = url ?? arn ?? "";
      throw new DeadLetterFailedError(
        message.id,
        false,
        `Could not send message ${message.id} to the dead-letter queue ${target}: ${describe(error)}. It stays in ${deps.queueUrl} and is received again after its visibility timeout; check that the worker may sqs:SendMessage to the DLQ (and sqs:GetQueueUrl when the DLQ comes from the RedrivePolicy)`,
        { cause: error, operation: url === undefined ? "GetQueueUrl" : "SendMessage", target },
      );
    }
    const { failed } = await deps.deleteFromSource(message);
    const failure = failed[0];
    if (failure !== undefined) {
      throw new DeadLetterFailedError(
        message.id,
        true,
        `Message ${message.id} was copied to the dead-letter queue ${dlqUrl} but not deleted from ${deps.queueUrl}: ${describe(failure.error)}. It will be received again there (handlers are idempotent), and the DLQ may hold a second copy`,
        { cause: failure.error, operation: "DeleteMessageBatch", target: deps.queueUrl },
      );
    }
  };

  return {
    deadLetter,
    get target() {
      return url ?? (arn as string);
    },
    arn,
  };
}

/** The DLQ ARN of a RedrivePolicy attribute; undefined (with a warning when the policy is unusable) when none. */
export function deadLetterArnOf(
  redrivePolicy: string | undefined,
  queueUrl: string,
  logger: Logger,
): string | undefined {
  if (!redrivePolicy) return undefined;
  const arn = parseRedrivePolicy(redrivePolicy)?.deadLetterTargetArn;
  if (arn !== undefined && parseQueueArn(arn) !== undefined) return arn;
  logger.warn("sqs RedrivePolicy names no queue ARN; permanent failures are left to the queue", { queueUrl });
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return "$metadata" in error ? `${normalizeAwsError(error).name} (${error.message})` : error.message;
}
