/**
 * Security: a Lambda handler's logs never carry a record body. SQS and SNS invocations with secret-looking
 * bodies go through every path that logs (success, a failing handler reported for redelivery, a permanent
 * failure sent to the dead-letter target, bad JSON, a schema failure, a record cut off by the deadline), with the
 * JSON logger at its default level and at debug.
 */
import {
  createJsonLogger,
  isRetryable,
  type LogLevel,
  PermanentError,
  TransientError,
  withSchema,
} from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deadLetterTarget } from "./deadLetter.js";
import { documentedSnsEvent, lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { snsHandler } from "./snsHandler.js";
import { sqsHandler } from "./sqsHandler.js";

const SECRET = "sk_live_0a1b2c3d4e5f6a7b8c9d";

const schema = z.object({ action: z.enum(["ok", "transient", "permanent", "slow"]), card: z.string() });

const handler = async (message: { body: z.output<typeof schema> }, { signal }: { signal: AbortSignal }) => {
  const { action } = message.body;
  if (action === "transient") throw new TransientError("card network busy");
  if (action === "permanent") throw new PermanentError("card rejected");
  if (action === "slow") {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 5_000);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  }
};

const bodies = [
  ...["ok", "transient", "permanent", "slow"].map((action) => JSON.stringify({ action, card: SECRET })),
  `{"card":"${SECRET}"`,
  JSON.stringify({ action: "refund", card: SECRET }),
];

function logger(level: LogLevel | undefined, lines: string[]) {
  const write = (line: string) => lines.push(line);
  return level === undefined ? createJsonLogger({ write }) : createJsonLogger({ level, write });
}

describe.each([
  ["the default level", undefined],
  ["debug", "debug"],
] as const)("Lambda handler logs at %s", (_, level) => {
  it("of an SQS invocation never contain a record body", async () => {
    const lines: string[] = [];
    const handle = sqsHandler(handler, {
      decode: withSchema(schema),
      logger: logger(level, lines),
      stopStartingBeforeTimeoutMs: 100,
      abortBeforeTimeoutMs: 50,
      deadLetter: deadLetterTarget({
        send: async (record, reason) => {
          if (reason.message.includes("rejected")) return;
          throw new Error(`dead-letter queue unavailable for ${record.messageId}`);
        },
        retryable: isRetryable,
      }),
    });

    const response = await handle({ Records: bodies.map((body, i) => sqsRecord(`m-${i}`, body)) }, lambdaContext(400));

    expect(response.batchItemFailures.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(SECRET);
  });

  it("of SNS invocations never contain a message", async () => {
    const lines: string[] = [];
    const handle = snsHandler(handler, { decode: withSchema(schema), logger: logger(level, lines) });

    for (const body of bodies.filter((text) => !text.includes('"slow"'))) {
      const event = documentedSnsEvent();
      event.Records[0]!.Sns.Message = body;
      await handle(event, lambdaContext()).catch((error: unknown) => {
        // The error Lambda logs for a failed invocation must not carry the message either.
        lines.push(String(error), JSON.stringify((error as Error).message));
      });
    }

    expect(lines.join("\n")).not.toContain(SECRET);
  });
});
