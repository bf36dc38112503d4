/**
 * A fault-injecting HTTP proxy between SQS clients (the workers) and the emulator. SQS speaks the AWS JSON 1.0
 * protocol: every call is a POST whose `X-Amz-Target` names the operation (`AmazonSQS.ReceiveMessage`), so the
 * proxy can pick which calls to fail and answer them the way SQS does (500 InternalError, 400
 * ThrottlingException, with the JSON error body and the `x-amzn-query-error` header the SDK reads).
 *
 * Two kinds of failure, because they differ for the caller:
 * - refused: the call never reaches the emulator (nothing happened; a retry is harmless);
 * - lost response: the emulator applies the call, then the answer is replaced by the error (a ReceiveMessage
 *   whose messages are now invisible to everyone until their visibility timeout, a delete that did happen).
 *
 * Duplicate delivery: for a share of the messages a ReceiveMessage returns, the proxy sends a copy of the
 * message (same body, same attributes) back to its queue, so the queue delivers it a second time, as SQS's
 * at-least-once delivery may.
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidOptionError } from "@resilient-jobs/core";
import type { Random } from "../src/random.js";
import {
  JSON_CONTENT_TYPE,
  parseJson,
  readBody,
  sendError,
  sendUpstream,
  stringAttributes,
  TARGET_PREFIX,
} from "./sqsJsonWire.js";

/** SQS operations as they appear after `AmazonSQS.` in `X-Amz-Target`. */
export type SqsOperation = string;

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The emulator's endpoint, `http://127.0.0.1:PORT`. */
  upstream: string;
  /**
   * Share of the calls of `operations` answered with an error, 0 to 1.
   * @defaultValue 0
   */
  errorRate?: number;
  /**
   * Of those errors, the share answered 400 ThrottlingException; the rest are 500 InternalError.
   * @defaultValue 0.5
   */
  throttlingShare?: number;
  /**
   * Of those errors, the share whose call is applied by the emulator before the error replaces its answer.
   * @defaultValue 0.5
   */
  lostResponseShare?: number;
  /**
   * Share of received messages delivered a second time (a copy is sent back to their queue), 0 to 1.
   * @defaultValue 0
   */
  duplicateRate?: number;
  /**
   * The operations that may fail.
   * @defaultValue the calls a worker makes: ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch), SendMessage(Batch)
   */
  operations?: readonly SqsOperation[];
  /** Random numbers in [0, 1). @defaultValue `Math.random` */
  random?: Random;
}

/** What the proxy did, by kind. */
export interface FaultProxyStats {
  /** Calls forwarded or answered, by operation. */
  calls: Record<SqsOperation, number>;
  /** Calls answered with an injected error without reaching the emulator. */
  refused: number;
  /** Calls the emulator applied whose answer was replaced by an injected error. */
  lostResponses: number;
  /** Of the injected errors, the 400 ThrottlingException ones. */
  throttled: number;
  /** Of the injected errors, the 500 InternalError ones. */
  internalErrors: number;
  /** Messages of a lost ReceiveMessage answer (they reappear after their visibility timeout). */
  messagesInLostReceives: number;
  /** Copies sent back to their queue (duplicate deliveries). */
  duplicatesSent: number;
  /** Duplicates that could not be sent (the emulator refused). */
  duplicateSendFailures: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: give it to SQS clients as their endpoint. */
  readonly url: string;
  stats(): FaultProxyStats;
  /** Turns faults and duplicates on or off (on at start). */
  setEnabled(enabled: boolean): void;
  close(): Promise<void>;
}

/** The calls a worker makes (GetQueueAttributes, read once at start, is left alone). */
export const WORKER_OPERATIONS: readonly SqsOperation[] = Object.freeze([
  "ReceiveMessage",
  "DeleteMessage",
  "DeleteMessageBatch",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
  "SendMessage",
  "SendMessageBatch",
]);

interface ResolvedProxyOptions {
  readonly upstream: URL;
  readonly errorRate: number;
  readonly throttlingShare: number;
  readonly lostResponseShare: number;
  readonly duplicateRate: number;
  readonly operations: ReadonlySet<string>;
  readonly random: Random;
}

type Fault = { kind: "none" } | { kind: "refuse" | "loseResponse"; throttling: boolean };

/** Starts the proxy on 127.0.0.1 and a free port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const config = resolveProxyOptions(options);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const stats: FaultProxyStats = {
    calls: {},
    refused: 0,
    lostResponses: 0,
    throttled: 0,
    internalErrors: 0,
    messagesInLostReceives: 0,
    duplicatesSent: 0,
    duplicateSendFailures: 0,
  };
  let enabled = true;

  const decide = (operation: string): Fault => {
    if (!enabled || !config.operations.has(operation) || config.random() >= config.errorRate) return { kind: "none" };
    const throttling = config.random() < config.throttlingShare;
    return { kind: config.random() < config.lostResponseShare ? "loseResponse" : "refuse", throttling };
  };

  const forward = (req: IncomingMessage, body: Buffer, clientGone: AbortSignal) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
      const upstream = request(
        {
          host: config.upstream.hostname,
          port: config.upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, "content-length": String(body.length) },
          agent,
          signal: clientGone,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on("error", reject);
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });

  const sendDuplicates = (requestBody: Buffer, responseBody: Buffer): void => {
    if (config.duplicateRate === 0) return;
    const queueUrl = parseJson<{ QueueUrl?: string }>(requestBody)?.QueueUrl;
    const messages = parseJson<ReceiveOutput>(responseBody)?.Messages ?? [];
    for (const message of messages) {
      if (queueUrl === undefined || config.random() >= config.duplicateRate) continue;
      const copy = JSON.stringify({
        QueueUrl: queueUrl,
        MessageBody: message.Body,
        ...(message.MessageAttributes ? { MessageAttributes: stringAttributes(message.MessageAttributes) } : {}),
      });
      sendUpstream(config.upstream, agent, "SendMessage", copy).then(
        (ok) => {
          if (ok) stats.duplicatesSent += 1;
          else stats.duplicateSendFailures += 1;
        },
        () => {
          stats.duplicateSendFailures += 1;
        },
      );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = req.headers["x-amz-target"];
    const operation =
      typeof target === "string" && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "?";
    stats.calls[operation] = (stats.calls[operation] ?? 0) + 1;
    const fault = decide(operation);
    if (fault.kind === "refuse") {
      countError(stats, fault.throttling);
      stats.refused += 1;
      sendError(res, fault.throttling);
      return;
    }
    // A caller that gives up (an aborted long poll, a killed worker) cancels the upstream call too.
    const clientGone = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const answer = await forward(req, body, clientGone.signal);
    if (fault.kind === "loseResponse") {
      countError(stats, fault.throttling);
      stats.lostResponses += 1;
      if (operation === "ReceiveMessage") {
        stats.messagesInLostReceives += parseJson<ReceiveOutput>(answer.body)?.Messages?.length ?? 0;
      }
      sendError(res, fault.throttling);
      return;
    }
    if (operation === "ReceiveMessage" && answer.status === 200 && enabled) sendDuplicates(body, answer.body);
    if (res.destroyed) return;
    const headers = { ...answer.headers, "content-length": String(answer.body.length) };
    delete headers["transfer-encoding"];
    delete headers.connection;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The caller went away, or the emulator did: answer like a load balancer would, if anyone listens.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(502, { "content-type": JSON_CONTENT_TYPE });
        res.end(JSON.stringify({ __type: "com.amazonaws.sqs#InternalError", message: "upstream failed" }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    setEnabled(value) {
      enabled = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function resolveProxyOptions(options: FaultProxyOptions): ResolvedProxyOptions {
  let upstream: URL;
  try {
    upstream = new URL(options.upstream);
  } catch {
    throw new InvalidOptionError("upstream", "an http:// URL of the emulator", options.upstream);
  }
  const rate = (name: keyof FaultProxyOptions, value: unknown, fallback: number): number => {
    const resolved = value ?? fallback;
    if (typeof resolved !== "number" || !(resolved >= 0 && resolved <= 1)) {
      throw new InvalidOptionError(name, "a number from 0 to 1", resolved);
    }
    return resolved;
  };
  return Object.freeze({
    upstream,
    errorRate: rate("errorRate", options.errorRate, 0),
    throttlingShare: rate("throttlingShare", options.throttlingShare, 0.5),
    lostResponseShare: rate("lostResponseShare", options.lostResponseShare, 0.5),
    duplicateRate: rate("duplicateRate", options.duplicateRate, 0),
    operations: new Set(options.operations ?? WORKER_OPERATIONS),
    random: options.random ?? Math.random,
  });
}

interface ReceiveOutput {
  Messages?: Array<{ Body?: string; MessageAttributes?: Record<string, { DataType?: string; StringValue?: string }> }>;
}

function countError(stats: FaultProxyStats, throttling: boolean): void {
  if (throttling) stats.throttled += 1;
  else stats.internalErrors += 1;
}
