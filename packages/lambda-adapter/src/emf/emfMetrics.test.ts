import { text } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import type { SqsEvent } from "../events.js";
import { documentedSnsEvent, lambdaContext, sqsRecord } from "../fixtures/awsEvents.js";
import { silent } from "../fixtures/handlerHelpers.js";
import { snsHandler } from "../snsHandler.js";
import { sqsHandler } from "../sqsHandler.js";
import { EMF_METRICS, withEmfMetrics } from "./emfMetrics.js";

const SENT = 1_700_000_000_000;

function event(): SqsEvent {
  const records = [
    sqsRecord("m-1", '{"n":1}'),
    sqsRecord("m-2", '{"n":2}', { receiveCount: 3 }),
    sqsRecord("m-3", '{"n":3}'),
  ];
  records.forEach((record, i) => {
    record.attributes.SentTimestamp = String(SENT + i * 100);
  });
  return { Records: records };
}

describe("withEmfMetrics", () => {
  it("writes one EMF line per invocation with the batch's counts and each record's queue time", async () => {
    const lines: string[] = [];
    let clock = SENT + 1_000;
    const handler = withEmfMetrics(
      sqsHandler(
        async (message) => {
          clock += 5;
          if ((message.body as { n: number }).n === 2) throw new Error("gateway timeout");
        },
        { ...silent, concurrency: 1 },
      ),
      {
        namespace: "OrderPipeline",
        dimensions: { Queue: "payments" },
        write: (line) => lines.push(line),
        now: () => clock,
      },
    );

    await handler(event(), lambdaContext());

    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line._aws).toEqual({
      Timestamp: SENT + 1_000,
      CloudWatchMetrics: [
        {
          Namespace: "OrderPipeline",
          Dimensions: [["FunctionName", "Queue"]],
          Metrics: EMF_METRICS.map((m) => ({ ...m })),
        },
      ],
    });
    expect(line).toMatchObject({
      FunctionName: "order-processor",
      Queue: "payments",
      Records: 3,
      Succeeded: 2,
      Failed: 1,
      Redelivered: 1,
      InvocationDuration: 15,
      QueueTime: [1_000, 900, 800],
    });
    // Every metric named in the directive has a value at the top level, as EMF requires.
    for (const { Name } of line._aws.CloudWatchMetrics[0].Metrics) expect(line).toHaveProperty(Name);
  });

  it("counts every record failed when the invocation throws (SNS), and still writes its line", async () => {
    const lines: string[] = [];
    const handler = withEmfMetrics(
      snsHandler(
        async () => {
          throw new Error("downstream unavailable");
        },
        { ...silent, decode: text },
      ),
      { namespace: "OrderPipeline", write: (line) => lines.push(line) },
    );
    await expect(handler(documentedSnsEvent(), lambdaContext())).rejects.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({ Records: 1, Succeeded: 0, Failed: 1 });
  });

  it("never fails an invocation because writing failed", async () => {
    const handler = withEmfMetrics(
      sqsHandler(async () => {}, silent),
      {
        namespace: "OrderPipeline",
        write: () => {
          throw new Error("stdout closed");
        },
      },
    );
    await expect(handler(event(), lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
  });
});
