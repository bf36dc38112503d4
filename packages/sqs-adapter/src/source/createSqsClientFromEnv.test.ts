import { describe, expect, it } from "vitest";
import { createSqsClientFromEnv, sqsClientConfigFromEnv } from "./createSqsClientFromEnv.js";

describe("sqsClientConfigFromEnv", () => {
  it("makes the endpoint from AWS_ENDPOINT_URL_SQS win over the queue URL's host", () => {
    expect(sqsClientConfigFromEnv({ AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:4566" })).toEqual({
      useQueueUrlAsEndpoint: false,
    });
  });

  it("leaves the SDK's defaults alone without an SQS endpoint override", () => {
    expect(sqsClientConfigFromEnv({ AWS_REGION: "eu-west-1" })).toEqual({});
    expect(sqsClientConfigFromEnv({ AWS_ENDPOINT_URL_SQS: "" })).toEqual({});
  });
});

describe("createSqsClientFromEnv", () => {
  it("builds a client whose queue-URL routing follows the environment", async () => {
    const local = createSqsClientFromEnv({ AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:4566" });
    const aws = createSqsClientFromEnv({});

    expect(local.config.useQueueUrlAsEndpoint).toBe(false);
    expect(aws.config.useQueueUrlAsEndpoint).not.toBe(false);
    local.destroy();
    aws.destroy();
  });
});
