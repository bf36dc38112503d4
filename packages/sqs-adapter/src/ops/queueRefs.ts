import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
} from "@aws-sdk/client-sqs";
import { normalizeAwsError, SqsAdapterError } from "../errors.js";

/** The parts of a queue URL: `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export interface QueueUrlParts {
  /** The region in the host name, when the host names one (`sqs.eu-west-1.amazonaws.com`). */
  readonly region: string | undefined;
  readonly accountId: string;
  readonly name: string;
  readonly fifo: boolean;
}

// Queue names: 1-80 letters, digits, `-`, `_`, with `.fifo` on FIFO queues.
const QUEUE_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/;
const REGION_HOST = /^sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d)\./;
// arn:<partition>:sqs:<region>:<account>:<name>
const QUEUE_ARN = /^arn:[a-z-]+:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/** Parses a queue URL, or returns undefined when it is not one (a name, an ARN, a console link). */
export function parseQueueUrl(url: string): QueueUrlParts | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  const path = QUEUE_PATH.exec(parsed.pathname);
  if (!path) return undefined;
  const [, accountId = "", name = ""] = path;
  return { region: REGION_HOST.exec(parsed.hostname)?.[1], accountId, name, fifo: name.endsWith(".fifo") };
}

/** Parses a queue ARN into region, account and name, or returns undefined. */
export function parseQueueArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const match = QUEUE_ARN.exec(arn);
  if (!match) return undefined;
  const [, region = "", accountId = "", name = ""] = match;
  return { region, accountId, name };
}

/** The queue's URL for its ARN (GetQueueUrl with the ARN's account, so cross-account DLQs resolve). */
export async function queueUrlForArn(client: SQSClient, arn: string, signal?: AbortSignal): Promise<string> {
  const parts = parseQueueArn(arn);
  if (!parts) throw new SqsAdapterError(`${JSON.stringify(arn)} is not an SQS queue ARN`, { target: arn });
  const out = await callSqs("GetQueueUrl", arn, () =>
    client.send(new GetQueueUrlCommand({ QueueName: parts.name, QueueOwnerAWSAccountId: parts.accountId }), {
      abortSignal: signal,
    }),
  );
  if (!out.QueueUrl) throw new SqsAdapterError(`GetQueueUrl returned no URL for ${arn}`, { target: arn });
  return out.QueueUrl;
}

/** Reads queue attributes, wrapping failures in an SqsAdapterError that names the queue. */
export async function queueAttributes(
  client: SQSClient,
  queueUrl: string,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const out = await callSqs("GetQueueAttributes", queueUrl, () =>
    client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names as GetQueueAttributesNames }),
      { abortSignal: signal },
    ),
  );
  return out.Attributes ?? {};
}

type GetQueueAttributesNames = NonNullable<
  ConstructorParameters<typeof GetQueueAttributesCommand>[0]["AttributeNames"]
>;

/** The parsed RedrivePolicy queue attribute: where failed messages go and after how many receives. */
export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** Parses the RedrivePolicy attribute (a JSON string); undefined when absent or malformed. */
export function parseRedrivePolicy(value: string | undefined): RedrivePolicy | undefined {
  if (!value) return undefined;
  try {
    const policy = JSON.parse(value) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof policy.deadLetterTargetArn !== "string") return undefined;
    return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: Number(policy.maxReceiveCount) };
  } catch {
    return undefined;
  }
}

/**
 * URLs of the queues whose RedrivePolicy sends to the DLQ. Asks ListDeadLetterSourceQueues; where the endpoint
 * lacks it (fauxqs), scans ListQueues and each queue's RedrivePolicy, which is fine for an operator command.
 */
export async function findDeadLetterSources(
  client: SQSClient,
  dlqUrl: string,
  dlqArn: string,
  signal?: AbortSignal,
): Promise<string[]> {
  try {
    const urls: string[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 1000, NextToken: token }),
        { abortSignal: signal },
      );
      urls.push(...(out.queueUrls ?? []));
      token = out.NextToken;
    } while (token);
    return urls;
  } catch (err) {
    if (!isUnsupportedOperation(err)) {
      throw new SqsAdapterError(`ListDeadLetterSourceQueues on ${dlqUrl} failed: ${describe(err)}`, {
        cause: err,
        operation: "ListDeadLetterSourceQueues",
        target: dlqUrl,
      });
    }
  }
  const sources: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callSqs("ListQueues", dlqUrl, () =>
      client.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: nextToken }), { abortSignal: signal }),
    );
    for (const url of page.QueueUrls ?? []) {
      let attributes: Record<string, string>;
      try {
        attributes = await queueAttributes(client, url, ["RedrivePolicy"], signal);
      } catch (err) {
        // Deleted between ListQueues and now: not a source.
        if (err instanceof SqsAdapterError && err.aws?.name === "QueueDoesNotExist") continue;
        throw err;
      }
      if (parseRedrivePolicy(attributes.RedrivePolicy)?.deadLetterTargetArn === dlqArn) sources.push(url);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return sources;
}

const UNSUPPORTED = new Set(["UnsupportedOperation", "InvalidAction", "UnknownOperationException", "NotImplemented"]);

/** True when the endpoint does not implement the operation (emulators), as opposed to refusing this call. */
export function isUnsupportedOperation(err: unknown): boolean {
  const normalized = normalizeAwsError(err);
  return UNSUPPORTED.has(normalized.name) || UNSUPPORTED.has(normalized.code) || normalized.httpStatus === 501;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Runs one SQS call and wraps its failure in an SqsAdapterError naming the operation and the queue. */
export async function callSqs<T>(operation: string, target: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof SqsAdapterError) throw err;
    throw new SqsAdapterError(`${operation} on ${target} failed: ${describe(err)}`, { cause: err, operation, target });
  }
}
