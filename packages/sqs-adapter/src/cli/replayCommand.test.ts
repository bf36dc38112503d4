/** `replay`'s exit code, on a scripted SQS client: a failure fails the run even when Ctrl-C stopped it. */
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { type ReplayFlags, replayCommand } from "./replayCommand.js";

const DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq";
const TO = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
const flags: ReplayFlags = {
  to: TO,
  max: undefined,
  where: [],
  since: undefined,
  olderThan: undefined,
  rate: undefined,
  dryRun: false,
  showBody: false,
  visibilityTimeout: undefined,
};

/** A DLQ of two messages, one a receive; the send of the first fails and, as it does, Ctrl-C is pressed. */
function failingThenInterrupted(controller: AbortController): SQSClient {
  let receives = 0;
  return {
    async send(command: unknown) {
      if (command instanceof GetQueueAttributesCommand) return { Attributes: { QueueArn: "arn" } };
      if (command instanceof ReceiveMessageCommand) {
        receives++;
        return {
          Messages: receives > 2 ? [] : [{ MessageId: `m-${receives}`, ReceiptHandle: `h-${receives}`, Body: "{}" }],
        };
      }
      if (command instanceof SendMessageBatchCommand) {
        controller.abort();
        throw new Error("throttled");
      }
      if (command instanceof ChangeMessageVisibilityBatchCommand) return { Successful: [] };
      throw new Error("unexpected command");
    },
  } as unknown as SQSClient;
}

describe("replayCommand exit code", () => {
  it("exits 1 when a message failed, even when Ctrl-C stopped the replay", async () => {
    const controller = new AbortController();

    const out = await replayCommand(failingThenInterrupted(controller), DLQ, flags, undefined, controller.signal);

    expect(out.json).toMatchObject({ failed: 1, moved: 0, stoppedBecause: "aborted" });
    expect(out.exitCode).toBe(1);
    expect(out.warning).toMatch(/Stopped/);
  });

  it("exits 0 when Ctrl-C stopped a replay that had no failure", async () => {
    const controller = new AbortController();
    controller.abort();

    const out = await replayCommand(
      failingThenInterrupted(new AbortController()),
      DLQ,
      flags,
      undefined,
      controller.signal,
    );

    expect(out.json).toMatchObject({ failed: 0, deleteFailed: 0, stoppedBecause: "aborted" });
    expect(out.exitCode).toBe(0);
  });
});
