import { text } from "@resilient-jobs/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { documentedFifoEvent, jsonEvent, lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { reportedIds, silent } from "./fixtures/handlerHelpers.js";
import { sqsHandler } from "./sqsHandler.js";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("sqsHandler on FIFO queues", () => {
  const fifoArn = documentedFifoEvent().Records[0]!.eventSourceARN;

  it("stops at the first failure and reports it and every later record (FIFO detected from the ARN)", async () => {
    const handled: string[] = [];
    const handler = sqsHandler(async (message) => {
      handled.push(message.id);
      if (message.id === "m-2") throw new Error("out of stock");
    }, silent);

    const response = await handler(jsonEvent(5, fifoArn), lambdaContext());

    expect(handled).toEqual(["m-0", "m-1", "m-2"]);
    expect(reportedIds(response)).toEqual(["m-2", "m-3", "m-4"]);
  });

  it("handles the documented FIFO record with its group id", async () => {
    const groups: Array<string | undefined> = [];
    const handler = sqsHandler(
      async (message) => {
        groups.push(message.groupId);
      },
      { ...silent, decode: text },
    );

    await handler(documentedFifoEvent(), lambdaContext());

    expect(groups).toEqual(["1"]);
  });

  it("processes every record of a .fifo source when fifo is false", async () => {
    const handler = sqsHandler(
      async (message) => {
        if (message.id === "m-1") throw new Error("fails");
      },
      { ...silent, fifo: false },
    );

    const response = await handler(jsonEvent(4, fifoArn), lambdaContext());

    expect(reportedIds(response)).toEqual(["m-1"]);
  });

  it("treats a standard queue as FIFO when fifo is true", async () => {
    const handler = sqsHandler(
      async (message) => {
        if (message.id === "m-1") throw new Error("fails");
      },
      { ...silent, fifo: true },
    );

    const response = await handler(jsonEvent(4), lambdaContext());

    expect(reportedIds(response)).toEqual(["m-1", "m-2", "m-3"]);
  });

  it("stops only the failed group with fifo scope group", async () => {
    const records = ["a", "b", "a", "b"].map((group, i) =>
      sqsRecord(`m-${i}`, "{}", { groupId: group, eventSourceARN: fifoArn }),
    );
    const handler = sqsHandler(
      async (message) => {
        if (message.id === "m-0") throw new Error("fails");
      },
      { ...silent, fifo: { scope: "group" } },
    );

    const response = await handler({ Records: records }, lambdaContext());

    expect(reportedIds(response)).toEqual(["m-0", "m-2"]);
  });
});
