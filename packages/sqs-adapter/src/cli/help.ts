/** Help texts of the `resilient-jobs` CLI. */

/** What `resilient-jobs --help` prints: every command with its options, and the common options. */
export const MAIN_HELP = `Usage: resilient-jobs <command> [options]

Operate SQS queues run by resilient-jobs workers.

Commands:
  stats <queue-url> [--peek-age]                 Depth of a queue (visible, in flight, delayed) and of its DLQ;
                                                 --peek-age adds the age of the oldest message
  peek <queue-url> [--n 10]                      Show up to 10 messages without deleting them
  redrive <dlq-url> [--to <url>] [--max <n>]     Move messages from a dead-letter queue back to a queue

Options:
  --endpoint <url>   SQS endpoint, for local emulators (default: AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL)
  --region <region>  AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, else the region in the queue URL)
  --json             Print JSON for scripts
  -h, --help         Show help (also: resilient-jobs <command> --help)

Credentials come from the standard AWS chain (environment, profile, SSO, instance role).
Exit codes: 0 done, 1 failed, 2 usage error.
`;

/** What `resilient-jobs <command> --help` prints, by command. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  stats: `Usage: resilient-jobs stats <queue-url> [--peek-age] [--json]

Prints the queue's approximate depth: visible (waiting), in flight (received, not deleted), delayed,
and the depth of the dead-letter queue its RedrivePolicy names.

  --peek-age   Also estimate the age of the oldest message by peeking (VisibilityTimeout 0). SQS has no
               API attribute for it: the exact figure is the CloudWatch metric ApproximateAgeOfOldestMessage.
               A peek counts as a receive (see \`peek --help\`).

Fair queues (MessageGroupId on a standard queue): SQS has no API for per-group counts, so none are shown.
Read the CloudWatch metrics ApproximateNumberOfNoisyGroups and Approximate*InQuietGroups instead.
`,
  peek: `Usage: resilient-jobs peek <queue-url> [--n 10] [--json]

Shows up to n (1-10) messages: id, sent time, receive count, group, attributes and body, and for a message
a worker dead-lettered, why (code, reason, source queue and message id, receive count). Messages are
received with VisibilityTimeout 0: they are not deleted and stay visible to workers.

Peeking still counts as a receive: it increments each message's ApproximateReceiveCount. On a queue with a
RedrivePolicy, a message already at maxReceiveCount moves to the DLQ on its next receive, so peeking can push
messages there. Peek a DLQ freely; peek a work queue with care.

  --n <count>  Messages to show, 1-10 (default 10)
`,
  redrive: `Usage: resilient-jobs redrive <dlq-url> [--to <queue-url>] [--max <n>] [--json]

Moves messages from a dead-letter queue back to a work queue. Fix the cause of the failures first, or the
messages will fail again and return to the DLQ.

Without --max, starts an SQS message move task (StartMessageMoveTask), which moves the messages
asynchronously; follow it with \`aws sqs list-message-move-tasks --source-arn <dlq-arn>\`. Where the endpoint
has no move tasks (local emulators), or with --max, moves them here: receive, send, then delete only what was
sent (body, attributes and FIFO group kept).

  --to <url>   Destination queue (default: the queue whose RedrivePolicy names the DLQ; the move task
               returns each message to its own source queue)
  --max <n>    Move at most n messages
`,
};
