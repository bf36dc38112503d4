import { describe, expect, it } from "vitest";
import { createSqsClientFromEnv, sqsClientConfigFromEnv } from "./createSqsClientFromEnv.js";

describe("sqsClientConfigFromEnv", () => {
  it("makes the endpoint from AWS_ENDPOINT_URL_SQS win over the queue URL's host", () => {
    expect(sqsClientConfigFromEnv({ AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:4566" })).toEqual({
      useQueueUrlAsEndpoint: false,
    });
  });

  it("leaves the SDK's defaults alone without an SQS endpoint override or a region", () => {
    expect(sqsClientConfigFromEnv({ AWS_ENDPOINT_URL_SQS: "" })).toEqual({});
  });

  it("signs for the queue URL's region, whatever region the environment names", () => {
    const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";

    expect(sqsClientConfigFromEnv({ AWS_REGION: "us-east-1" }, url)).toEqual({ region: "eu-west-1" });
    expect(sqsClientConfigFromEnv({ AWS_DEFAULT_REGION: "us-west-2" }, url)).toEqual({ region: "eu-west-1" });
  });

  it("takes AWS_REGION from the environment it is given (not process.env) when the URL names no region", () => {
    const url = "http://127.0.0.1:4566/000000000000/orders";

    expect(sqsClientConfigFromEnv({ AWS_REGION: "ap-south-1" }, url)).toEqual({ region: "ap-south-1" });
    expect(sqsClientConfigFromEnv({ AWS_REGION: "", AWS_DEFAULT_REGION: "sa-east-1" }, url)).toEqual({
      region: "sa-east-1",
    });
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
