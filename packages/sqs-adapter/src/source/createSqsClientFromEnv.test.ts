import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { createSqsClientFromEnv, SDK_LOGGER_MIDDLEWARE, sqsClientConfigFromEnv } from "./createSqsClientFromEnv.js";

describe("sqsClientConfigFromEnv", () => {
  it("makes the endpoint from AWS_ENDPOINT_URL_SQS win over the queue URL's host", () => {
    expect(sqsClientConfigFromEnv({ AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:4566" })).toEqual({
      md5: false,
      useQueueUrlAsEndpoint: false,
    });
  });

  it("leaves the SDK's defaults alone without an SQS endpoint override or a region, but the MD5 check", () => {
    expect(sqsClientConfigFromEnv({ AWS_ENDPOINT_URL_SQS: "" })).toEqual({ md5: false });
  });

  it("signs for the queue URL's region, whatever region the environment names", () => {
    const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";

    expect(sqsClientConfigFromEnv({ AWS_REGION: "us-east-1" }, url)).toEqual({ md5: false, region: "eu-west-1" });
    expect(sqsClientConfigFromEnv({ AWS_DEFAULT_REGION: "us-west-2" }, url)).toEqual({
      md5: false,
      region: "eu-west-1",
    });
  });

  it("takes AWS_REGION from the environment it is given (not process.env) when the URL names no region", () => {
    const url = "http://127.0.0.1:4566/000000000000/orders";

    expect(sqsClientConfigFromEnv({ AWS_REGION: "ap-south-1" }, url)).toEqual({ md5: false, region: "ap-south-1" });
    expect(sqsClientConfigFromEnv({ AWS_REGION: "", AWS_DEFAULT_REGION: "sa-east-1" }, url)).toEqual({
      md5: false,
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

  it("skips the SDK's per-message MD5 check and its logger middleware, and signs with imported keys", () => {
    const client = createSqsClientFromEnv({ AWS_REGION: "us-east-1" });
    const middleware = client.middlewareStack.identify().map((entry) => entry.split(" ")[0]);

    expect(client.config.md5).toBe(false);
    expect(middleware).not.toContain(SDK_LOGGER_MIDDLEWARE);
    expect(client.config.sha256.name).toBe("KeyObjectSha256");
    client.destroy();
  });

  it("leaves the SDK's logger middleware on clients it did not build", () => {
    const yours = new SQSClient({ region: "us-east-1" });

    expect(yours.middlewareStack.identify().map((entry) => entry.split(" ")[0])).toContain(SDK_LOGGER_MIDDLEWARE);
    yours.destroy();
  });
});
