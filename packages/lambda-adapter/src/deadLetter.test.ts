import { describe, expect, it } from "vitest";
import { sqsDeadLetterQueue } from "./deadLetter.js";

describe("sqsDeadLetterQueue", () => {
  it.each([
    [{ queueUrl: "my-dlq", client: { send: async () => ({}) } }, "queueUrl"],
    [{ queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/dlq", client: {} }, "client"],
    [undefined, "queueUrl"],
  ])("rejects %j at creation, naming %s", (options, option) => {
    expect(() => sqsDeadLetterQueue(options as never)).toThrow(
      expect.objectContaining({ name: "InvalidOptionError", option }),
    );
  });
});
