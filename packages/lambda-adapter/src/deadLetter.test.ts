import { isRetryable } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { queueUrlOf, sqsDeadLetterQueue } from "./deadLetter.js";

const send = async () => ({});
const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq";

describe("sqsDeadLetterQueue", () => {
  it("classifies with isRetryable unless given its own classifier", () => {
    const own = () => true;

    expect(sqsDeadLetterQueue({ queueUrl, client: { send } }).retryable).toBe(isRetryable);
    expect(sqsDeadLetterQueue({ queueUrl, client: { send }, retryable: own }).retryable).toBe(own);
  });

  it.each([
    [{ queueUrl: "my-dlq", client: { send } }, "queueUrl"],
    [{ queueUrl, client: {} }, "client"],
    [{ queueUrl, client: { send }, retryable: false }, "retryable"],
    [undefined, "queueUrl"],
  ])("rejects %j at creation, naming %s", (options, option) => {
    expect(() => sqsDeadLetterQueue(options as never)).toThrow(
      expect.objectContaining({ name: "InvalidOptionError", option }),
    );
  });
});

describe("queueUrlOf", () => {
  it.each([
    ["arn:aws:sqs:eu-west-1:123456789012:orders", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"],
    ["arn:aws:sqs:us-east-2:123456789012:orders.fifo", "https://sqs.us-east-2.amazonaws.com/123456789012/orders.fifo"],
    ["arn:aws-cn:sqs:cn-north-1:123456789012:orders", "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders"],
    ["arn:aws:sns:eu-west-1:123456789012:topic", undefined],
    ["not an arn", undefined],
    [undefined, undefined],
  ])("turns %s into %s", (arn, url) => {
    expect(queueUrlOf(arn)).toBe(url);
  });
});
