import { InvalidOptionError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { resolveSqsSourceOptions } from "./sqsSourceOptions.js";

const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";

describe("resolveSqsSourceOptions", () => {
  it("applies the defaults once and freezes the result", () => {
    const config = resolveSqsSourceOptions({ queueUrl });

    expect(config).toMatchObject({ queueUrl, fifo: false, visibilityTimeoutMs: undefined, batchAttempts: 5 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("dead-letters by default, to an explicit deadLetterQueueUrl when given", () => {
    expect(resolveSqsSourceOptions({ queueUrl })).toMatchObject({ deadLetter: true, deadLetterQueueUrl: undefined });
    expect(resolveSqsSourceOptions({ queueUrl, deadLetterQueueUrl: `${queueUrl}-dlq` }).deadLetterQueueUrl).toBe(
      `${queueUrl}-dlq`,
    );
    expect(resolveSqsSourceOptions({ queueUrl, deadLetter: false }).deadLetter).toBe(false);
  });

  it("recognises a FIFO queue by its URL", () => {
    expect(resolveSqsSourceOptions({ queueUrl: `${queueUrl}.fifo` }).fifo).toBe(true);
  });

  it.each([
    [{ queueUrl: "orders" }, "queueUrl"],
    [{ queueUrl, visibilityTimeoutMs: -1 }, "visibilityTimeoutMs"],
    [{ queueUrl, visibilityTimeoutMs: 43_200_001 }, "visibilityTimeoutMs"],
    [{ queueUrl, batchAttempts: 0 }, "batchAttempts"],
    [{ queueUrl, batchRetryBaseDelayMs: 1.5 }, "batchRetryBaseDelayMs"],
    [{ queueUrl, batchRetryBaseDelayMs: 100, batchRetryMaxDelayMs: 50 }, "batchRetryMaxDelayMs"],
    [{ queueUrl, deadLetter: "yes" as unknown as boolean }, "deadLetter"],
    [{ queueUrl, deadLetterQueueUrl: "orders-dlq" }, "deadLetterQueueUrl"],
    [{ queueUrl, deadLetterQueueUrl: queueUrl }, "deadLetterQueueUrl"],
    [{ queueUrl, deadLetterQueueUrl: `${queueUrl}-dlq.fifo` }, "deadLetterQueueUrl"],
    [{ queueUrl: `${queueUrl}.fifo`, deadLetterQueueUrl: `${queueUrl}-dlq` }, "deadLetterQueueUrl"],
    [{ queueUrl, deadLetter: false, deadLetterQueueUrl: `${queueUrl}-dlq` }, "deadLetterQueueUrl"],
  ])("rejects %o naming %s", (options, option) => {
    const error = (() => {
      try {
        resolveSqsSourceOptions(options);
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message).toMatch(new RegExp(`^Expected \`${option}\` to be`));
  });
});
