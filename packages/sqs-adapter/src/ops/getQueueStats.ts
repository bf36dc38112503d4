import type { SQSClient } from "@aws-sdk/client-sqs";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { InvalidOptionError } from "@resilient-jobs/core";
import { callSqs, parseRedrivePolicy, queueAttributes, queueUrlForArn } from "./queueRefs.js";

/** Options of {@link getQueueStats}. */
export interface QueueStatsOptions {
  /** The SQS client. */
  client: SQSClient;
  /**
   * Estimate the age of the oldest message by peeking (receive with VisibilityTimeout 0). Off by default:
   * a peek counts as a receive, so it moves messages near `maxReceiveCount` closer to the DLQ.
   * @defaultValue false
   */
  peekOldestAge?: boolean;
  /**
   * Clock for the age estimate, epoch milliseconds.
   * @defaultValue Date.now
   */
  now?: () => number;
  /** Aborts the calls in flight. */
  signal?: AbortSignal;
}

/**
 * Message counts of one queue (SQS's approximate attributes: eventually consistent, about a minute).
 * Whole-queue counts only: SQS has no API attribute for per-group (per-tenant) counts on a fair queue, see
 * {@link getQueueStats}.
 */
export interface QueueDepth {
  readonly queueUrl: string;
  readonly queueArn: string | undefined;
  /** Messages ready to be received (ApproximateNumberOfMessages). */
  readonly visible: number;
  /** Messages received and not yet deleted or visible again (ApproximateNumberOfMessagesNotVisible). */
  readonly inFlight: number;
  /** Messages waiting out a delay (ApproximateNumberOfMessagesDelayed). */
  readonly delayed: number;
}

/** An estimate of the oldest message's age, from a peek. */
export interface OldestMessageAge {
  /** Seconds since the oldest message among those sampled was sent. A lower bound on standard queues. */
  readonly seconds: number;
  /** How many messages the peek saw (at most 10). */
  readonly sampled: number;
}

/** What {@link getQueueStats} reports. */
export interface QueueStats extends QueueDepth {
  readonly fifo: boolean;
  /** The queue's visibility timeout in seconds. */
  readonly visibilityTimeoutSeconds: number | undefined;
  /**
   * Age of the oldest message, only when `peekOldestAge` was set and the queue had visible messages.
   * SQS has no API attribute for it: the exact figure is the CloudWatch metric ApproximateAgeOfOldestMessage.
   */
  readonly oldestMessageAge: OldestMessageAge | undefined;
  /** The dead-letter queue named by the RedrivePolicy, with its depth; undefined without a RedrivePolicy. */
  readonly deadLetter: (QueueDepth & { readonly maxReceiveCount: number }) | undefined;
}

const DEPTH_ATTRIBUTES = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
];

/**
 * Reads a queue's depth (visible, in flight, delayed), the depth of the DLQ its RedrivePolicy names, and
 * optionally an estimate of the oldest message's age. Two to four SQS calls; meant for dashboards, health
 * checks and the CLI, not for every message.
 *
 * Fair queues (a standard queue whose messages carry a MessageGroupId): SQS has no API for in-flight counts
 * per message group, so none are reported here. CloudWatch has queue-level ones: ApproximateNumberOfNoisyGroups
 * and the quiet-groups subsets ApproximateNumberOfMessagesVisibleInQuietGroups,
 * ApproximateNumberOfMessagesNotVisibleInQuietGroups, ApproximateNumberOfMessagesDelayedInQuietGroups and
 * ApproximateAgeOfOldestMessageInQuietGroups (see "Available CloudWatch metrics for Amazon SQS",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html);
 * per-tenant figures need CloudWatch Contributor Insights over your own logs. docs/fair-queues.md has more.
 * @throws SqsAdapterError naming the queue when a call fails (`err.aws?.name === "QueueDoesNotExist"`, ...).
 */
export async function getQueueStats(queueUrl: string, options: QueueStatsOptions): Promise<QueueStats> {
  const { client, signal } = options;
  if (!client || typeof (client as { send?: unknown }).send !== "function") {
    throw new InvalidOptionError("client", "an SQSClient", client);
  }
  const now = options.now ?? Date.now;
  const attributes = await queueAttributes(
    client,
    queueUrl,
    [...DEPTH_ATTRIBUTES, "RedrivePolicy", "FifoQueue", "VisibilityTimeout"],
    signal,
  );
  const policy = parseRedrivePolicy(attributes.RedrivePolicy);
  const [deadLetter, oldestMessageAge] = await Promise.all([
    policy ? deadLetterDepth(client, policy.deadLetterTargetArn, signal) : undefined,
    options.peekOldestAge ? peekOldestAge(client, queueUrl, now, signal) : undefined,
  ]);
  return {
    ...depthOf(queueUrl, attributes),
    fifo: attributes.FifoQueue === "true" || queueUrl.endsWith(".fifo"),
    visibilityTimeoutSeconds: numberOrUndefined(attributes.VisibilityTimeout),
    oldestMessageAge,
    deadLetter: deadLetter && policy ? { ...deadLetter, maxReceiveCount: policy.maxReceiveCount } : undefined,
  };
}

async function deadLetterDepth(client: SQSClient, arn: string, signal: AbortSignal | undefined): Promise<QueueDepth> {
  const url = await queueUrlForArn(client, arn, signal);
  return depthOf(url, await queueAttributes(client, url, DEPTH_ATTRIBUTES, signal));
}

function depthOf(queueUrl: string, attributes: Record<string, string>): QueueDepth {
  return {
    queueUrl,
    queueArn: attributes.QueueArn,
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

// Receives up to 10 messages without hiding them (VisibilityTimeout 0). Standard queues answer from a sample
// of servers and in no particular order, so the result is a lower bound; FIFO queues return group heads.
async function peekOldestAge(
  client: SQSClient,
  queueUrl: string,
  now: () => number,
  signal: AbortSignal | undefined,
): Promise<OldestMessageAge | undefined> {
  const out = await callSqs("ReceiveMessage", queueUrl, () =>
    client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["SentTimestamp"],
      }),
      { abortSignal: signal },
    ),
  );
  const sent = (out.Messages ?? [])
    .map((message) => Number(message.Attributes?.SentTimestamp))
    .filter((value) => Number.isFinite(value));
  if (sent.length === 0) return undefined;
  return { seconds: Math.max(0, (now() - Math.min(...sent)) / 1000), sampled: sent.length };
}

function numberOrUndefined(value: string | undefined): number | undefined {
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
