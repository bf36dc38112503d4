import type { SQSClient } from "@aws-sdk/client-sqs";
import type { QueueStats } from "../ops/getQueueStats.js";
import { getQueueStats } from "../ops/getQueueStats.js";
import type { PeekedMessage } from "../ops/peekMessages.js";
import { peekMessages } from "../ops/peekMessages.js";
import type { RedriveResult } from "../ops/redriveDeadLetters.js";
import { redriveDeadLetters } from "../ops/redriveDeadLetters.js";
import { DEAD_LETTER_ATTRIBUTES, type SqsDeadLetterOrigin } from "../source/deadLetterMessage.js";

/** What a command prints and whether it succeeded. */
export interface CommandOutput {
  readonly text: string;
  readonly json: unknown;
  /** 0, or 1 when the command ran but did not fully succeed (a redrive that left messages behind). */
  readonly exitCode: 0 | 1;
  /** A warning for stderr. */
  readonly warning?: string;
}

const BODY_PREVIEW_CHARS = 500;

/**
 * `stats <queue-url> [--peek-age]`. Whole-queue counts only: SQS has no API for per-group counts on a fair
 * queue (see {@link getQueueStats} for the CloudWatch metrics to read instead).
 */
export async function statsCommand(client: SQSClient, queueUrl: string, peekAge: boolean): Promise<CommandOutput> {
  const stats = await getQueueStats(queueUrl, { client, peekOldestAge: peekAge });
  return { text: formatStats(stats), json: stats, exitCode: 0 };
}

/** `peek <queue-url> [--n 10]` */
export async function peekCommand(client: SQSClient, queueUrl: string, max: number): Promise<CommandOutput> {
  const messages = await peekMessages(queueUrl, { client, max });
  return { text: formatPeek(messages), json: messages, exitCode: 0 };
}

/** `redrive <dlq-url> [--to <url>] [--max <n>]` */
export async function redriveCommand(
  client: SQSClient,
  from: string,
  to: string | undefined,
  max: number | undefined,
): Promise<CommandOutput> {
  const result = await redriveDeadLetters({
    client,
    from,
    ...(to === undefined ? {} : { to }),
    ...(max === undefined ? {} : { max }),
  });
  const incomplete = result.method === "loop" && (result.failed > 0 || result.deleteFailed > 0);
  return {
    text: formatRedrive(result),
    json: result,
    exitCode: incomplete ? 1 : 0,
    ...(incomplete
      ? {
          warning: `Not everything was moved: ${result.failed} send(s) failed (still in the DLQ, visible again after the visibility timeout)${
            result.deleteFailed > 0
              ? `, ${result.deleteFailed} sent but not deleted from the DLQ (they will be moved again)`
              : ""
          }${result.stoppedBecause ? `; stopped: ${result.stoppedBecause}` : ""}`,
        }
      : {}),
  };
}

function formatStats(stats: QueueStats): string {
  const rows: [string, string][] = [
    ["Queue", stats.queueUrl],
    ["Visible", String(stats.visible)],
    ["In flight", String(stats.inFlight)],
    ["Delayed", String(stats.delayed)],
  ];
  if (stats.oldestMessageAge) {
    const { seconds, sampled } = stats.oldestMessageAge;
    rows.push(["Oldest", `${Math.round(seconds)} s (peek of ${sampled} message${sampled === 1 ? "" : "s"})`]);
  }
  if (stats.deadLetter) {
    const dlq = stats.deadLetter;
    rows.push(
      ["DLQ", `${dlq.queueUrl} (after ${dlq.maxReceiveCount} receives)`],
      ["DLQ visible", String(dlq.visible)],
      ["DLQ in flight", String(dlq.inFlight)],
    );
  } else {
    rows.push(["DLQ", "none (no RedrivePolicy)"]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

function formatPeek(messages: readonly PeekedMessage[]): string {
  if (messages.length === 0) return "No visible messages.";
  return messages
    .map((message, i) => {
      const head = [
        `#${i + 1} ${message.id}`,
        `sent ${new Date(message.sentAt).toISOString()}`,
        `receives ${message.receiveCount}`,
        ...(message.groupId === undefined ? [] : [`group ${message.groupId}`]),
      ].join("  ");
      const attributes = Object.entries(message.attributes)
        .filter(([name]) => !REASON_ATTRIBUTES.has(name))
        .map(([name, value]) => `${name}=${value}`);
      const body =
        message.body.length > BODY_PREVIEW_CHARS
          ? `${message.body.slice(0, BODY_PREVIEW_CHARS)}... (${message.body.length} chars; --json shows all)`
          : message.body;
      return [
        head,
        ...(message.deadLetter ? [`  dead-lettered: ${formatDeadLetter(message.deadLetter)}`] : []),
        ...(message.payload
          ? [
              `  payload: s3://${message.payload.bucket}/${message.payload.key}${message.payload.sizeBytes === undefined ? "" : ` (${message.payload.sizeBytes} bytes)`}, offloaded: the body below is its pointer`,
            ]
          : []),
        ...(attributes.length ? [`  attributes: ${attributes.join(", ")}`] : []),
        `  body: ${body}`,
      ].join("\n");
    })
    .join("\n");
}

// Shown on their own line by formatDeadLetter; the packed original attributes stay in the attributes line.
const REASON_ATTRIBUTES = new Set<string>(
  Object.values(DEAD_LETTER_ATTRIBUTES).filter((name) => name !== DEAD_LETTER_ATTRIBUTES.originalAttributes),
);

/** `PERMANENT after 1 receive of m-1 in <queue-url>: PermanentError: unknown product` */
function formatDeadLetter(origin: SqsDeadLetterOrigin): string {
  const receives =
    origin.receiveCount === undefined
      ? ""
      : ` after ${origin.receiveCount} receive${origin.receiveCount === 1 ? "" : "s"}`;
  const from = [
    origin.sourceMessageId === undefined ? "" : ` of ${origin.sourceMessageId}`,
    origin.sourceQueue === undefined ? "" : ` in ${origin.sourceQueue}`,
  ].join("");
  return `${origin.reason.code}${receives}${from}${origin.reason.message ? `: ${origin.reason.message}` : ""}`;
}

function formatRedrive(result: RedriveResult): string {
  if (result.method === "move-task") {
    return `Started move task ${result.taskHandle}: SQS moves the messages from ${result.from} to ${
      result.to ?? "their source queues"
    } in the background. Follow it with: aws sqs list-message-move-tasks --source-arn ${result.sourceArn}`;
  }
  return `Moved ${result.moved} message${result.moved === 1 ? "" : "s"} from ${result.from} to ${result.to}${
    result.failed > 0 ? ` (${result.failed} failed)` : ""
  }.`;
}
