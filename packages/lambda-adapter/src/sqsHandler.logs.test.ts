import { withSchema } from "@resilient-jobs/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonEvent, lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import { orderSchema } from "./fixtures/handlerHelpers.js";
import { sqsHandler } from "./sqsHandler.js";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("sqsHandler logs", () => {
  it("flags only the first invocation of the execution environment as a cold start", async () => {
    const { logger, lines } = captureLogs();
    const handler = sqsHandler(
      async (_message, { log }) => {
        log.info("handled");
      },
      { logger },
    );

    await handler(jsonEvent(1), lambdaContext(30_000, "request-1"));
    await handler(jsonEvent(1), lambdaContext(30_000, "request-2"));

    const handled = lines.filter((line) => line.msg === "handled");
    expect(handled.map((line) => [line.awsRequestId, line.coldStart])).toEqual([
      ["request-1", true],
      ["request-2", false],
    ]);
  });

  it("does not flag a cold start under provisioned concurrency", async () => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency");
    const { logger, lines } = captureLogs();
    const handler = sqsHandler(
      async (_message, { log }) => {
        log.info("handled");
      },
      { logger },
    );

    await handler(jsonEvent(1), lambdaContext());

    expect(lines.find((line) => line.msg === "handled")?.coldStart).toBe(false);
  });

  it("logs one line per invocation with the failed message ids and errors, never the body", async () => {
    const { logger, lines, raw } = captureLogs();
    const secret = "4111-1111-1111-1111";
    const handler = sqsHandler(
      async (message, { log }) => {
        log.debug("charging");
        if (message.id === "m-card") throw new Error("card declined");
      },
      { logger, decode: withSchema(orderSchema) },
    );
    const event = {
      Records: [
        sqsRecord("m-card", JSON.stringify({ orderId: "o-1", card: secret })),
        sqsRecord("m-garbage", `{"card":"${secret}"`),
      ],
    };

    await handler(event, lambdaContext(30_000, "request-9"));

    const warnings = lines.filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: "records reported for redelivery",
      awsRequestId: "request-9",
      coldStart: true,
      records: 2,
      reported: 2,
    });
    expect(warnings[0]?.failed).toEqual(
      expect.arrayContaining([
        { messageId: "m-card", error: { name: "Error", message: "card declined" } },
        { messageId: "m-garbage", error: expect.objectContaining({ name: "DecodeError", code: "DECODE_FAILED" }) },
      ]),
    );
    expect(lines.find((line) => line.msg === "charging")).toMatchObject({
      messageId: "m-card",
      awsRequestId: "request-9",
    });
    expect(raw.join("\n")).not.toContain(secret);
  });
});
