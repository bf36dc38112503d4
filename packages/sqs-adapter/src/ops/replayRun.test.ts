/**
 * The replay loop against a scripted SQS client: what fauxqs cannot be made to do on cue (a scan outlasting the
 * visibility timeout, an offloaded body gone from the store).
 */
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
} from "@aws-sdk/client-sqs";
import { deadLetterAttributes, type LargePayloads, PayloadNotFoundError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { type ReplayClock, replayDeadLetters } from "./replayDeadLetters.js";

const clock: ReplayClock = { now: () => 1_000_000, sleep: async () => {} };

function deadLetter(id: string, code: string, body = JSON.stringify({ id })): Message {
  return {
    MessageId: id,
    ReceiptHandle: `h-${id}`,
    Body: body,
    MessageAttributes: deadLetterAttributes(
      {},
      { reason: { code, message: code }, sourceMessageId: `src-${id}`, sourceQueue: "q", receiveCount: 1 },
    ),
    Attributes: { SentTimestamp: "1000", ApproximateReceiveCount: "1", MessageGroupId: "g" },
  };
}

/**
 * A DLQ that answers receives from `receives` in turn (empty once they run out, or each receive in turn again
 * with fresh handles when `redeliver`, as messages whose visibility lapsed come back).
 */
function scriptedSqs(receives: Message[][], redeliver = false) {
  const sent: SendMessageBatchRequestEntry[] = [];
  const released: string[] = [];
  const deleted: string[] = [];
  let receiveCalls = 0;
  const client = {
    async send(command: unknown) {
      if (command instanceof GetQueueAttributesCommand) return { Attributes: { QueueArn: "arn" } };
      if (command instanceof ReceiveMessageCommand) {
        receiveCalls++;
        if (receiveCalls > 50) throw new Error("the scan never ends");
        const i = receiveCalls - 1;
        const round = redeliver ? i % receives.length : i;
        const messages = receives[round] ?? [];
        return { Messages: messages.map((m) => ({ ...m, ReceiptHandle: `${m.ReceiptHandle}#${i}` })) };
      }
      if (command instanceof SendMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        sent.push(...entries);
        return { Successful: entries.map((e) => ({ Id: e.Id })) };
      }
      if (command instanceof DeleteMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        deleted.push(...entries.map((e) => e.ReceiptHandle ?? ""));
        return { Successful: entries.map((e) => ({ Id: e.Id })) };
      }
      if (command instanceof ChangeMessageVisibilityBatchCommand) {
        released.push(...(command.input.Entries ?? []).map((e) => e.ReceiptHandle ?? ""));
        return { Successful: [] };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as SQSClient;
  return { client, sent, released, deleted, receives: () => receiveCalls };
}

const DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq";
const FIFO_DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq.fifo";
const TO = "https://sqs.us-east-1.amazonaws.com/123456789012/work";

describe("ReplayRun", () => {
  it("ends a scan that outlasts the visibility timeout when a receive brings only messages already seen", async () => {
    const sqs = scriptedSqs([[deadLetter("a", "KEEP"), deadLetter("b", "KEEP")], [deadLetter("c", "MOVE")]], true);

    const result = await replayDeadLetters({ client: sqs.client, from: DLQ, to: TO, where: { code: "MOVE" }, clock });

    expect(result).toMatchObject({ scanned: 3, matched: 1, moved: 1, failed: 0 });
    expect(sqs.receives()).toBe(3);
    // One handle per held message, the newest: a, b came back on the third receive.
    expect(sqs.released.sort()).toEqual(["h-a#2", "h-b#2"]);
  });

  it("a transform may be async; one that fails or returns what JSON cannot carry fails that message only", async () => {
    const sqs = scriptedSqs([["ok", "undefined", "bigint", "circular", "rejects"].map((id) => deadLetter(id, "X"))]);

    const result = await replayDeadLetters({
      client: sqs.client,
      from: DLQ,
      to: TO,
      clock,
      transform: async (body) => {
        const { id } = body as { id: string };
        if (id === "undefined") return undefined;
        if (id === "bigint") return { n: 1n };
        if (id === "circular") {
          const cycle: Record<string, unknown> = {};
          cycle.self = cycle;
          return cycle;
        }
        if (id === "rejects") throw new Error("no");
        return { id, fixed: true };
      },
    });

    expect(result).toMatchObject({ scanned: 5, matched: 5, moved: 1, failed: 4 });
    expect(sqs.sent.map((e) => e.MessageBody)).toEqual([JSON.stringify({ id: "ok", fixed: true })]);
    expect(sqs.released.sort()).toEqual(["h-bigint#0", "h-circular#0", "h-rejects#0", "h-undefined#0"]);
  });

  it("a body that cannot be resolved or offloaded again fails that message only, which is made visible again", async () => {
    const sqs = scriptedSqs([
      [deadLetter("gone", "PAYLOAD_NOT_FOUND", "pointer"), deadLetter("big", "X"), deadLetter("ok", "X")],
    ]);
    const payloads = {
      async resolve(body: string) {
        if (body === "pointer") throw new PayloadNotFoundError({ bucket: "b", key: "k" }, "NoSuchKey");
        return body;
      },
      async offload(body: string) {
        if (body.includes("big")) throw new Error("S3 is down");
        return { body, attributes: {}, pointer: undefined };
      },
    } as unknown as LargePayloads;

    const result = await replayDeadLetters({
      client: sqs.client,
      from: DLQ,
      to: TO,
      clock,
      payloads,
      transform: (body) => body,
    });

    expect(result).toMatchObject({ scanned: 3, matched: 3, moved: 1, failed: 2 });
    expect(sqs.sent.map((e) => e.MessageBody)).toEqual([JSON.stringify({ id: "ok" })]);
    expect(sqs.released.sort()).toEqual(["h-big#0", "h-gone#0"]);
  });

  it("makes every received message visible again when the replay stops on an error mid-batch", async () => {
    const sqs = scriptedSqs([[deadLetter("a", "X"), deadLetter("b", "X")]]);

    let calls = 0;
    // The start, message a, then message b: the clock breaks while b is looked at, a already in the batch.
    const breaking: ReplayClock = {
      now: () => {
        if (++calls === 3) throw new Error("a clock that breaks mid-batch");
        return 1_000_000;
      },
      sleep: async () => {},
    };
    const promise = replayDeadLetters({ client: sqs.client, from: DLQ, to: TO, clock: breaking });

    await expect(promise).rejects.toThrow("mid-batch");
    expect(sqs.released.sort()).toEqual(["h-a#0", "h-b#0"]);
  });

  it("warns that messages behind a non-matching one in its FIFO group were not scanned", async () => {
    const sqs = scriptedSqs([[deadLetter("a", "KEEP"), deadLetter("b", "MOVE")]]);

    const fifo = await replayDeadLetters({
      client: sqs.client,
      from: FIFO_DLQ,
      to: TO,
      where: { code: "MOVE" },
      clock,
    });
    expect(fifo.warnings.join("\n")).toMatch(/FIFO.*1 message\(s\) that did not match.*not scanned.*without a filter/);

    const all = await replayDeadLetters({
      client: scriptedSqs([[deadLetter("a", "KEEP")]]).client,
      from: FIFO_DLQ,
      to: TO,
      clock,
    });
    expect(all.warnings).toEqual([]);
    const standard = await replayDeadLetters({
      client: scriptedSqs([[deadLetter("a", "KEEP")]]).client,
      from: DLQ,
      to: TO,
      where: { code: "MOVE" },
      clock,
    });
    expect(standard.warnings).toEqual([]);
  });
});
