/**
 * Security: a consumer's logs never carry a message body. Messages with a secret-looking body go through every
 * path that logs (success, transient failure and retry, permanent failure and dead-letter, handler timeout,
 * bad JSON, schema failure, shutdown hand-back) with the default JSON logger at its default level and at debug;
 * the secret must not appear in any line.
 */
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { withSchema } from "../decode/withSchema.js";
import { PermanentError, TransientError } from "../errors.js";
import { createJsonLogger, type LogLevel } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumer } from "./createConsumer.js";

const SECRET = "sk_live_4c3b2a1f0e9d8c7b6a5f";

const schema = z.object({ action: z.enum(["ok", "transient", "permanent", "slow", "hang"]), card: z.string() });

async function runWithLevel(level: LogLevel | undefined): Promise<string[]> {
  const lines: string[] = [];
  const write = (line: string) => lines.push(line);
  const dlq = new InMemoryQueue({ name: "payments-dlq" });
  const queue = new InMemoryQueue({
    name: "payments",
    visibilityTimeoutMs: 1_000,
    maxReceiveCount: 2,
    deadLetterQueue: dlq,
  });
  const consumer = createConsumer({
    source: queue,
    decode: withSchema(schema),
    concurrency: 8,
    handlerTimeoutMs: 100,
    receiveWaitTimeMs: 20,
    backoff: { baseMs: 1, capMs: 2 },
    logger: level === undefined ? createJsonLogger({ write }) : createJsonLogger({ level, write }),
    handler: async (message, { signal }) => {
      const { action } = message.body;
      if (action === "transient") throw new TransientError("card network busy");
      if (action === "permanent") throw new PermanentError("card rejected");
      if (action === "slow" || action === "hang") {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, action === "slow" ? 500 : 60_000);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      }
    },
  });
  for (const action of ["ok", "transient", "permanent", "slow", "hang"]) {
    queue.send(JSON.stringify({ action, card: SECRET }), { attributes: { correlationId: `order-${action}` } });
  }
  queue.send(`{"card":"${SECRET}"`); // not JSON
  queue.send(JSON.stringify({ action: "refund", card: SECRET })); // schema violation

  consumer.start();
  // transient (twice), permanent, slow (twice), bad JSON and schema all end in the DLQ; ok is acked.
  await vi.waitFor(() => expect(dlq.deadLetters().length).toBeGreaterThanOrEqual(5), { timeout: 5_000 });
  await consumer.stop({ drainTimeoutMs: 10 });
  expect(lines.length).toBeGreaterThan(0);
  return lines;
}

describe("consumer logs", () => {
  it("never contain a message body at the default level", async () => {
    const lines = await runWithLevel(undefined);

    expect(lines.join("\n")).not.toContain(SECRET);
  });

  it("never contain a message body at debug level either", async () => {
    const lines = await runWithLevel("debug");

    expect(lines.some((line) => line.includes('"level":"debug"'))).toBe(true);
    expect(lines.join("\n")).not.toContain(SECRET);
    // What they do carry, to find the message: its id and correlation id.
    expect(lines.join("\n")).toContain("order-permanent");
  });
});
