/** Help texts of the `resilient-jobs` CLI. */

/** What `resilient-jobs --help` prints: every command with its options, and the common options. */
export const MAIN_HELP = `Usage: resilient-jobs <command> [options]

Operate SQS queues run by resilient-jobs workers.

Commands:
  stats <queue-url> [--peek-age]                 Depth of a queue (visible, in flight, delayed) and of its DLQ;
                                                 --peek-age adds the age of the oldest message
  peek <queue-url> [--n 10]                      Show up to 10 messages without deleting them
  redrive <dlq-url> [--to <url>] [--max <n>]     Move messages from a dead-letter queue back to a queue
  replay <dlq-url> [--where <k=v>]... [--since <age>] [--older-than <age>] [--rate <n/s>] [--max <n>] [--to <url>] [--dry-run] [--show-body] [--visibility-timeout <s>]
                                                 Move only the dead letters that match (reason, age, attribute,
                                                 receives), at a bounded rate; --dry-run lists them first

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
  replay: `Usage: resilient-jobs replay <dlq-url> [--where <k=v>]... [--since <age>] [--older-than <age>] [--rate <n/s>] [--max <n>] [--to <url>] [--dry-run] [--show-body] [--visibility-timeout <s>] [--json]

Moves the dead letters that match back to a work queue, at a bounded rate, after the cause of those failures
is fixed. Each message is scanned once (received and kept hidden while the replay runs); those that match are
sent, then deleted from the DLQ, batch by batch; the others are made visible again when the replay ends. A
crash duplicates at most the batch in flight and loses nothing; Ctrl-C stops after the batch in flight.
Exit 1 when any matching message failed to move (still in the DLQ) or was sent but not deleted, Ctrl-C or
not; a run stopped by Ctrl-C with no failure exits 0.
Body, attributes (without the dead-letter reason), FIFO group and deduplication id are kept; a message whose
deduplication id was used less than 5 minutes ago gets a fresh one, and the summary says how many did.

A scan is a receive: it adds one to each message's ApproximateReceiveCount in the DLQ. A DLQ has no redrive
policy of its own as a rule; when it has one, a warning says so. Replayed messages start afresh in the queue.

  --where <k=v>        Select (repeat to narrow; several code= clauses mean any of them):
                         code=PAYMENT_DECLINED          the dead-letter reason code
                         reason=<text>                  text in the reason
                         attribute.<name>=<value>       a message attribute
                         receives>=<n>, receives<=<n>   receives before it was dead-lettered
  --since <age>        Dead-lettered at most this long ago (90s, 30m, 2h, 1d)
  --older-than <age>   Dead-lettered at least this long ago
  --rate <n/s>         Most messages sent per second (default: no limit)
  --max <n>            Move at most n messages
  --to <url>           Destination queue (default: the queue whose RedrivePolicy names the DLQ)
  --dry-run            List what would move (id, reason, age, receives) and count it by reason; change nothing
  --show-body          With --dry-run, show the first 200 characters of each body
  --visibility-timeout <s>
                       How long scanned messages stay hidden (default 120): after a crash, the ones not moved
                       are visible again this long after their scan
`,
};
