import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { InvalidOptionError } from "@resilient-jobs/core";
import { parseQueueUrl } from "../ops/queueRefs.js";
import type { CommandOutput } from "./commands.js";
import { peekCommand, redriveCommand, statsCommand } from "./commands.js";
import { describeFailure } from "./describeFailure.js";
import { COMMAND_HELP, MAIN_HELP } from "./help.js";
import { checkReplayFlags, type ReplayFlags, ReplayUsageError, replayCommand } from "./replayCommand.js";

/** Where the CLI writes (process.stdout and process.stderr fit). */
export interface CliStream {
  write(chunk: string): unknown;
  /** A terminal: `replay` then shows progress on it. */
  readonly isTTY?: boolean;
}

/** How the CLI connects: the region and, for emulators, the endpoint. */
export interface CliClientConfig {
  readonly region: string;
  readonly endpoint: string | undefined;
}

/** What {@link runCli} needs from its surroundings, injectable for tests. */
export interface CliContext {
  stdout: CliStream;
  stderr: CliStream;
  /** Environment variables (AWS_REGION, AWS_ENDPOINT_URL_SQS...). @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Builds the SQS client. @defaultValue an `SQSClient` with the region, the endpoint (which then wins over the
   * queue URL's host), and `env`'s AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or AWS_PROFILE,
   * else the SDK's standard credential chain
   */
  clientFactory?: (config: CliClientConfig) => SQSClient;
  /** Stops `replay` between batches. @defaultValue the first Ctrl-C (SIGINT) of this process */
  signal?: AbortSignal;
}

/** Exit codes: 0 done, 1 failed, 2 usage error. */
export type CliExitCode = 0 | 1 | 2;

class UsageError extends Error {}

const OPTIONS = {
  endpoint: { type: "string" },
  region: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  to: { type: "string" },
  max: { type: "string" },
  n: { type: "string" },
  "peek-age": { type: "boolean" },
  where: { type: "string", multiple: true },
  since: { type: "string" },
  "older-than": { type: "string" },
  rate: { type: "string" },
  "dry-run": { type: "boolean" },
  "show-body": { type: "boolean" },
  "visibility-timeout": { type: "string" },
} as const;

/** Options each command accepts beyond the common ones. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  stats: ["peek-age"],
  peek: ["n"],
  redrive: ["to", "max"],
  replay: ["to", "max", "where", "since", "older-than", "rate", "dry-run", "show-body", "visibility-timeout"],
};

// Credentials and profile from `env` when it names them (so an injected env is honoured); otherwise the SDK's
// standard chain (process environment, shared files, SSO, container and instance roles).
function defaultClientFactory(env: Readonly<Record<string, string | undefined>>) {
  return ({ region, endpoint }: CliClientConfig): SQSClient => {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = env;
    return new SQSClient({
      region,
      ...(endpoint === undefined ? {} : { endpoint, useQueueUrlAsEndpoint: false }),
      ...(accessKeyId && secretAccessKey
        ? {
            credentials: {
              accessKeyId,
              secretAccessKey,
              ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}),
            },
          }
        : env.AWS_PROFILE
          ? { profile: env.AWS_PROFILE }
          : {}),
    });
  };
}

/**
 * The `resilient-jobs` CLI as a function: parses `argv` (without node and the script), runs the command
 * and resolves with the exit code. Never calls `process.exit`, so tests run it in process.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<CliExitCode> {
  const { stdout, stderr } = context;
  const env = context.env ?? process.env;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr.write(`resilient-jobs: ${err.message}\nRun \`resilient-jobs --help\` for usage.\n`);
    return 2;
  }
  if (parsed.kind === "help") {
    stdout.write(parsed.text);
    return 0;
  }

  const { command, queueUrl, values } = parsed;
  const endpoint = values.endpoint ?? env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  // `--region` if given; else the queue URL's (the only region its requests can be signed for); else the
  // environment's (an empty variable counts as unset).
  const region =
    values.region ||
    parseQueueUrl(queueUrl)?.region ||
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    (endpoint === undefined ? undefined : "us-east-1");
  if (region === undefined) {
    stderr.write("resilient-jobs: no AWS region: pass --region or set AWS_REGION\n");
    return 2;
  }
  const client = (context.clientFactory ?? defaultClientFactory(env))({ region, endpoint });
  try {
    let output: CommandOutput;
    if (command === "stats") output = await statsCommand(client, queueUrl, values["peek-age"] === true);
    else if (command === "peek") output = await peekCommand(client, queueUrl, parsed.n);
    else if (command === "redrive") output = await redriveCommand(client, queueUrl, values.to, parsed.max);
    else output = await runReplay(client, queueUrl, replayFlags(values, parsed.max), context);
    stdout.write(`${values.json ? JSON.stringify(output.json, null, 2) : output.text}\n`);
    if (output.warning) stderr.write(`resilient-jobs: ${output.warning}\n`);
    return output.exitCode;
  } catch (err) {
    if (err instanceof InvalidOptionError) {
      stderr.write(`resilient-jobs: ${err.message}\n`);
      return 2;
    }
    stderr.write(`resilient-jobs: ${describeFailure(err, { queueUrl, region, endpoint })}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K]["type"] extends "string"
      ? string
      : boolean;
};

/** Options every command takes. */
const COMMON_OPTIONS = new Set(["endpoint", "region", "json", "help"]);

function replayFlags(values: Values, max: number | undefined): ReplayFlags {
  return {
    to: values.to,
    max,
    where: values.where ?? [],
    since: values.since,
    olderThan: values["older-than"],
    rate: values.rate,
    dryRun: values["dry-run"] === true,
    showBody: values["show-body"] === true,
    visibilityTimeout: values["visibility-timeout"],
  };
}

/** Runs `replay`: progress on a terminal's stderr; the first Ctrl-C stops it between batches. */
async function runReplay(client: SQSClient, from: string, flags: ReplayFlags, context: CliContext) {
  const progress = context.stderr.isTTY ? (line: string) => context.stderr.write(line) : undefined;
  if (context.signal) return replayCommand(client, from, flags, progress, context.signal);
  const controller = new AbortController();
  const onInterrupt = () => {
    context.stderr.write("\nresilient-jobs: stopping after the batch in flight (Ctrl-C again to quit at once)\n");
    controller.abort();
    process.removeListener("SIGINT", onInterrupt);
  };
  process.on("SIGINT", onInterrupt);
  try {
    return await replayCommand(client, from, flags, progress, controller.signal);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}

function parse(
  argv: readonly string[],
):
  | { kind: "help"; text: string }
  | { kind: "run"; command: string; queueUrl: string; values: Values; n: number; max: number | undefined } {
  let result: { values: Values; positionals: string[] };
  try {
    result = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as typeof result;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = result;
  const [command, queueUrl, ...extra] = positionals;
  if (command === undefined) {
    if (values.help) return { kind: "help", text: MAIN_HELP };
    throw new UsageError("missing command (stats, peek, redrive or replay)");
  }
  const help = COMMAND_HELP[command];
  if (help === undefined) {
    throw new UsageError(`unknown command ${JSON.stringify(command)} (stats, peek, redrive or replay)`);
  }
  if (values.help) return { kind: "help", text: help };
  if (queueUrl === undefined) throw new UsageError(`${command}: missing the queue URL`);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(extra[0])}`);
  for (const name of Object.keys(OPTIONS).filter((o) => !COMMON_OPTIONS.has(o)) as (keyof Values)[]) {
    if (values[name] !== undefined && !COMMAND_OPTIONS[command]?.includes(name)) {
      throw new UsageError(`${command}: --${name} is not an option of this command`);
    }
  }
  for (const [label, url] of [
    ["", queueUrl],
    [" (--to)", values.to],
  ] as const) {
    if (url !== undefined && !parseQueueUrl(url)) {
      throw new UsageError(
        `${command}: ${JSON.stringify(url)}${label} is not a queue URL; expected https://sqs.<region>.amazonaws.com/<account-id>/<queue-name>`,
      );
    }
  }
  if (values.endpoint !== undefined && !/^https?:\/\//.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(values.endpoint)}`);
  }
  const n = values.n === undefined ? 10 : integerOption("--n", values.n, 1, 10);
  const max = values.max === undefined ? undefined : integerOption("--max", values.max, 1, Number.MAX_SAFE_INTEGER);
  if (command === "replay") {
    try {
      checkReplayFlags(replayFlags(values, max));
    } catch (err) {
      if (err instanceof ReplayUsageError) throw new UsageError(`replay: ${err.message}`);
      throw err;
    }
  }
  return { kind: "run", command, queueUrl, values, n, max };
}

function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(
      `${name} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
