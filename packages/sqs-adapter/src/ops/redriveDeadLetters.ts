import type { Message, SendMessageBatchRequestEntry, SQSClient } from "@aws-sdk/client-sqs";
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { InvalidOptionError } from "@resilient-jobs/core";
import { SqsAdapterError } from "../errors.js";
import { MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES } from "../publish/limits.js";
import { byteLength } from "../publish/messageAttributes.js";
import { originalMessageAttributes } from "../source/deadLetterMessage.js";
import { callSqs, findDeadLetterSources, isUnsupportedOperation, queueAttributes } from "./queueRefs.js";

/** Options of {@link redriveDeadLetters}. */
export interface RedriveOptions {
  /** The SQS client. */
  client: SQSClient;
  /** URL of the dead-letter queue to empty. */
  from: string;
  /**
   * URL of the queue to move the messages to.
   * @defaultValue the queue whose RedrivePolicy names `from` (the move task routes each message to its own source)
   */
  to?: string;
  /**
   * Most messages to move. Setting it uses the receive / send / delete loop: a move task cannot stop at a count.
   * @defaultValue all
   */
  max?: number;
  /**
   * Rate limit of a move task (MaxNumberOfMessagesPerSecond, 1-500).
   * @defaultValue SQS's own pace (up to 500/s)
   */
  maxPerSecond?: number;
  /**
   * `auto` tries StartMessageMoveTask and falls back to the loop where the endpoint lacks it (fauxqs);
   * `loop` always uses the loop.
   * @defaultValue "auto"
   */
  method?: "auto" | "loop";
  /**
   * How long each received DLQ message stays hidden while the loop sends it. A message whose send fails
   * becomes visible in the DLQ again after this.
   * @defaultValue 30
   */
  visibilityTimeoutSeconds?: number;
  /** Aborts between batches; what was moved stays moved. */
  signal?: AbortSignal;
}

/** What {@link redriveDeadLetters} did. */
export type RedriveResult =
  | {
      /** SQS moves the messages asynchronously; follow it with ListMessageMoveTasks or the console. */
      readonly method: "move-task";
      readonly from: string;
      readonly to: string | undefined;
      /** The DLQ's ARN: `aws sqs list-message-move-tasks --source-arn <sourceArn>` shows the progress. */
      readonly sourceArn: string;
      readonly taskHandle: string;
    }
  | {
      /** Moved here by receive / send / delete. */
      readonly method: "loop";
      readonly from: string;
      readonly to: string;
      /** Messages sent to `to` and deleted from `from`. */
      readonly moved: number;
      /** Messages whose send failed: still in `from`, visible again after the visibility timeout. */
      readonly failed: number;
      /** Messages sent but not deleted from `from` (they will be moved again: at-least-once). */
      readonly deleteFailed: number;
      /** Why the loop stopped when it was not because the DLQ ran empty or `max` was reached. */
      readonly stoppedBecause?: string;
    };

const DEFAULTS = Object.freeze({ method: "auto" as const, visibilityTimeoutSeconds: 30 });
// Short long-poll: a 0-second receive samples only some SQS servers and can come back empty from a non-empty queue.
const RECEIVE_WAIT_SECONDS = 1;

/**
 * Moves messages from a dead-letter queue back to a work queue, after the cause of their failure is fixed.
 * Uses StartMessageMoveTask where the endpoint supports it and no `max` is set; otherwise a loop that
 * receives from the DLQ, sends to the destination (keeping body, message attributes, FIFO group id and
 * X-Ray header; the reason attributes of `SqsSource.deadLetter` are removed, see {@link originalMessageAttributes})
 * and deletes from the DLQ only the messages whose send succeeded.
 * @throws InvalidOptionError for bad options; SqsAdapterError when a queue is missing or a call fails.
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const config = resolveRedriveOptions(options);
  const { client, from, signal } = config;
  const fromArn = (await queueAttributes(client, from, ["QueueArn"], signal)).QueueArn ?? "";
  // Check the destination exists before hiding any DLQ message, and get its ARN for a move task.
  const toArn =
    config.to === undefined ? undefined : (await queueAttributes(client, config.to, ["QueueArn"], signal)).QueueArn;
  if (config.method === "auto" && config.max === undefined) {
    const taskHandle = await tryMoveTask(config, fromArn, toArn);
    if (taskHandle !== undefined) return { method: "move-task", from, to: config.to, sourceArn: fromArn, taskHandle };
  }
  const to = config.to ?? (await soleSourceQueue(client, from, fromArn, signal));
  if (to === from) throw new InvalidOptionError("to", "a queue other than `from`", to);
  return moveByLoop({ ...config, to });
}

type RedriveConfig = Readonly<Omit<Required<RedriveOptions>, "to" | "max" | "maxPerSecond" | "signal">> & {
  readonly to: string | undefined;
  readonly max: number | undefined;
  readonly maxPerSecond: number | undefined;
  readonly signal: AbortSignal | undefined;
};

function resolveRedriveOptions(options: RedriveOptions): RedriveConfig {
  const { client, from, to, max, maxPerSecond } = options;
  if (!client || typeof (client as { send?: unknown }).send !== "function") {
    throw new InvalidOptionError("client", "an SQSClient", client);
  }
  if (typeof from !== "string" || !URL.canParse(from)) throw new InvalidOptionError("from", "a queue URL", from);
  if (to !== undefined && (typeof to !== "string" || !URL.canParse(to))) {
    throw new InvalidOptionError("to", "a queue URL", to);
  }
  if (to === from) throw new InvalidOptionError("to", "a queue other than `from`", to);
  if (max !== undefined && !(Number.isInteger(max) && max >= 1))
    throw new InvalidOptionError("max", "an integer >= 1", max);
  if (maxPerSecond !== undefined && !(Number.isInteger(maxPerSecond) && maxPerSecond >= 1 && maxPerSecond <= 500)) {
    throw new InvalidOptionError("maxPerSecond", "an integer from 1 to 500", maxPerSecond);
  }
  const method = options.method ?? DEFAULTS.method;
  if (method !== "auto" && method !== "loop") throw new InvalidOptionError("method", '"auto" or "loop"', method);
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? DEFAULTS.visibilityTimeoutSeconds;
  if (
    !(Number.isInteger(visibilityTimeoutSeconds) && visibilityTimeoutSeconds >= 1 && visibilityTimeoutSeconds <= 43_200)
  ) {
    throw new InvalidOptionError("visibilityTimeoutSeconds", "an integer from 1 to 43200", visibilityTimeoutSeconds);
  }
  return Object.freeze({
    client,
    from,
    to,
    max,
    maxPerSecond,
    method,
    visibilityTimeoutSeconds,
    signal: options.signal,
  });
}

async function tryMoveTask(
  config: RedriveConfig,
  fromArn: string,
  destinationArn: string | undefined,
): Promise<string | undefined> {
  const { client, signal } = config;
  try {
    const out = await client.send(
      new StartMessageMoveTaskCommand({
        SourceArn: fromArn,
        ...(destinationArn === undefined ? {} : { DestinationArn: destinationArn }),
        ...(config.maxPerSecond === undefined ? {} : { MaxNumberOfMessagesPerSecond: config.maxPerSecond }),
      }),
      { abortSignal: signal },
    );
    return out.TaskHandle ?? "";
  } catch (err) {
    if (isUnsupportedOperation(err)) return undefined;
    throw new SqsAdapterError(`StartMessageMoveTask from ${config.from} failed: ${(err as Error).message}`, {
      cause: err,
      operation: "StartMessageMoveTask",
      target: config.from,
    });
  }
}

/** The one queue whose RedrivePolicy names `from`; throws naming them when there are none or several. */
export async function soleSourceQueue(
  client: SQSClient,
  from: string,
  fromArn: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const sources = await findDeadLetterSources(client, from, fromArn, signal);
  if (sources.length === 1) return sources[0] as string;
  throw new SqsAdapterError(
    sources.length === 0
      ? `No queue has ${from} as its dead-letter queue: pass \`to\` (--to) to say where the messages go`
      : `${from} is the dead-letter queue of ${sources.length} queues (${sources.join(", ")}): pass \`to\` (--to) to choose one`,
    { target: from },
  );
}

async function moveByLoop(config: RedriveConfig & { to: string }): Promise<RedriveResult> {
  const { client, from, to, max, signal } = config;
  const toFifo = to.endsWith(".fifo");
  let moved = 0;
  let failed = 0;
  let deleteFailed = 0;
  let stoppedBecause: string | undefined;
  while (max === undefined || moved < max) {
    if (signal?.aborted) {
      stoppedBecause = "aborted";
      break;
    }
    const received = await callSqs("ReceiveMessage", from, () =>
      client.send(
        new ReceiveMessageCommand({
          QueueUrl: from,
          MaxNumberOfMessages: Math.min(MAX_BATCH_ENTRIES, max === undefined ? MAX_BATCH_ENTRIES : max - moved),
          VisibilityTimeout: config.visibilityTimeoutSeconds,
          WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId", "AWSTraceHeader"],
        }),
        { abortSignal: signal },
      ),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    const outcome = await moveBatch(client, from, to, toFifo, messages, signal);
    moved += outcome.moved;
    failed += outcome.failed;
    deleteFailed += outcome.deleteFailed;
    // Nothing went out: sending again now would fail the same way (and the failed ones are hidden anyway).
    if (outcome.moved + outcome.deleteFailed === 0) {
      stoppedBecause = `no message of the last batch could be sent to ${to}: ${outcome.firstError ?? "unknown error"}`;
      break;
    }
  }
  return {
    method: "loop",
    from,
    to,
    moved,
    failed,
    deleteFailed,
    ...(stoppedBecause === undefined ? {} : { stoppedBecause }),
  };
}

interface BatchOutcome {
  moved: number;
  failed: number;
  deleteFailed: number;
  firstError: string | undefined;
}

// Send first, delete second, and delete only what was sent: a crash between the two leaves a copy in both
// queues (moved twice later), never a message in neither.
async function moveBatch(
  client: SQSClient,
  from: string,
  to: string,
  toFifo: boolean,
  messages: readonly Message[],
  signal: AbortSignal | undefined,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { moved: 0, failed: 0, deleteFailed: 0, firstError: undefined };
  const entries: SendMessageBatchRequestEntry[] = [];
  const handles = new Map<string, string>();
  messages.forEach((message, index) => {
    const id = String(index);
    const entry = toSendEntry(id, message, toFifo);
    if (typeof entry === "string") {
      outcome.failed++;
      outcome.firstError ??= entry;
      return;
    }
    entries.push(entry);
    handles.set(id, message.ReceiptHandle ?? "");
  });
  for (const chunk of chunkBySize(entries)) {
    let sentIds: string[];
    try {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: to, Entries: chunk }), {
        abortSignal: signal,
      });
      sentIds = (out.Successful ?? []).map((ok) => ok.Id ?? "");
      outcome.failed += out.Failed?.length ?? 0;
      const firstFailure = out.Failed?.[0];
      if (firstFailure) outcome.firstError ??= `${firstFailure.Code}: ${firstFailure.Message}`;
    } catch (err) {
      outcome.failed += chunk.length;
      outcome.firstError ??= err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      continue;
    }
    if (sentIds.length === 0) continue;
    const deleted = await deleteSent(client, from, sentIds, handles, signal);
    outcome.moved += deleted;
    outcome.deleteFailed += sentIds.length - deleted;
  }
  return outcome;
}

async function deleteSent(
  client: SQSClient,
  from: string,
  ids: readonly string[],
  handles: ReadonlyMap<string, string>,
  signal: AbortSignal | undefined,
): Promise<number> {
  try {
    const out = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: from,
        Entries: ids.map((id) => ({ Id: id, ReceiptHandle: handles.get(id) ?? "" })),
      }),
      { abortSignal: signal },
    );
    return out.Successful?.length ?? 0;
  } catch {
    return 0;
  }
}

// Keeps what a consumer reads: body, message attributes (as first sent: the reason attributes of SqsSource.deadLetter
// removed, the originals it had to pack into one put back), FIFO group (and the original dedup id, or the
// message id, so that a repeated redrive within 5 minutes is deduplicated), and the X-Ray trace header.
function toSendEntry(id: string, message: Message, toFifo: boolean): SendMessageBatchRequestEntry | string {
  const system = message.Attributes ?? {};
  const groupId = system.MessageGroupId;
  if (toFifo && groupId === undefined) {
    return `message ${message.MessageId} has no MessageGroupId and cannot go to the FIFO queue`;
  }
  const traceHeader = system.AWSTraceHeader;
  const attributes = originalMessageAttributes(message.MessageAttributes);
  return {
    Id: id,
    MessageBody: message.Body ?? "",
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    ...(groupId === undefined ? {} : { MessageGroupId: groupId }),
    ...(toFifo ? { MessageDeduplicationId: system.MessageDeduplicationId ?? message.MessageId } : {}),
    ...(traceHeader === undefined
      ? {}
      : { MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: traceHeader } } }),
  };
}

function chunkBySize(entries: readonly SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const chunks: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (current.length > 0 && bytes + size > SQS_MAX_MESSAGE_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function entrySize(entry: SendMessageBatchRequestEntry): number {
  let size = byteLength(entry.MessageBody ?? "");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += byteLength(name) + byteLength(value.DataType ?? "");
    size += value.StringValue === undefined ? (value.BinaryValue?.byteLength ?? 0) : byteLength(value.StringValue);
  }
  return size;
}
