/** One-line explanations of a failed CLI command: what is wrong and what to do. */
import { normalizeAwsError, SqsAdapterError } from "../errors.js";

/** Where the failed command was pointed. */
export interface FailureContext {
  readonly queueUrl: string;
  readonly region: string;
  readonly endpoint: string | undefined;
}

/** Turns a failure into one line that says what is wrong and what to do. */
export function describeFailure(err: unknown, where: FailureContext): string {
  const root = rootCause(err);
  const aws = normalizeAwsError(root);
  const target = err instanceof SqsAdapterError && err.target ? err.target : where.queueUrl;
  switch (aws.name) {
    case "CredentialsError":
      return `no usable AWS credentials (${(root as Error).message}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; a local emulator accepts any non-empty values.`;
    case "QueueDoesNotExist":
      return `queue ${target} does not exist (region ${where.region}${where.endpoint ? `, endpoint ${where.endpoint}` : ""}): check the queue name, the account id and the region.`;
    case "AccessDenied":
      return `access denied to ${target}: ${(root as Error).message}`;
    case "NetworkError":
      return (
        emulatorHostHint(root, where) ??
        `could not reach SQS${where.endpoint ? ` at ${where.endpoint}` : ` in ${where.region}`}: ${(root as Error).message}`
      );
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

const DNS_FAILURES = new Set(["ENOTFOUND", "EAI_AGAIN"]);
// Emulators (fauxqs, LocalStack, ElasticMQ) hand out queue URLs on hosts like `sqs.us-east-1.localhost`, which
// most resolvers do not answer: without --endpoint the SDK sends each call to that host.
const LOCAL_HOST = /(^|\.)localhost$/i;

function emulatorHostHint(root: unknown, where: FailureContext): string | undefined {
  if (where.endpoint !== undefined || !URL.canParse(where.queueUrl)) return undefined;
  const code = (root as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !DNS_FAILURES.has(code)) return undefined;
  const url = new URL(where.queueUrl);
  if (!LOCAL_HOST.test(url.hostname)) return undefined;
  return `could not resolve ${url.hostname}, the host of the queue URL: it looks like a local emulator's. Pass the emulator's address with --endpoint http://127.0.0.1:${url.port || "PORT"} (or set AWS_ENDPOINT_URL_SQS).`;
}

function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5 && current instanceof SqsAdapterError && current.cause !== undefined; depth++) {
    current = current.cause;
  }
  return current;
}
