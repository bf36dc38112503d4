import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SqsAdapterError } from "../errors.js";
import { createSqsClientFromEnv } from "./createSqsClientFromEnv.js";
import { createSqsSource } from "./createSqsSource.js";
import { SqsSource } from "./SqsSource.js";

// No region anywhere: not in the environment, not in a profile (the files do not exist).
beforeEach(() => {
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("a worker without AWS_REGION", () => {
  it("signs for the region its queue URL names", async () => {
    const source = new SqsSource({ queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders" });

    await expect(source.client.config.region()).resolves.toBe("eu-west-1");
    await source.close();
  });

  it("fails at start with 'Region is missing' and what to set when the queue URL names no region", async () => {
    const started = createSqsSource({ queueUrl: "http://localhost:4566/000000000000/orders" });

    await expect(started).rejects.toThrow(SqsAdapterError);
    await expect(started).rejects.toThrow(
      /^Region is missing: no AWS region for http:\/\/localhost:4566\/000000000000\/orders.*Set AWS_REGION/,
    );
  });

  it("checks the region even when no queue attribute needs reading", async () => {
    const started = createSqsSource({
      queueUrl: "http://localhost:4566/000000000000/orders",
      visibilityTimeoutMs: 30_000,
      deadLetter: false,
    });

    await expect(started).rejects.toThrow(/Region is missing/);
  });
});

describe("createSqsClientFromEnv's region", () => {
  it.each([
    [
      "the queue URL's wins (its requests are signed for it)",
      "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
      { AWS_REGION: "us-west-2" },
      "eu-west-1",
    ],
    [
      "then AWS_REGION",
      "http://127.0.0.1:4566/1/q",
      { AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "ap-south-1" },
      "us-west-2",
    ],
    ["then AWS_DEFAULT_REGION", "http://127.0.0.1:4566/1/q", { AWS_DEFAULT_REGION: "ap-south-1" }, "ap-south-1"],
  ])("%s", async (_, queueUrl, env, region) => {
    // The SDK would read AWS_REGION from process.env: a different one there must not matter.
    vi.stubEnv("AWS_REGION", "me-south-1");
    const client = createSqsClientFromEnv(env, queueUrl);

    await expect(client.config.region()).resolves.toBe(region);
    client.destroy();
  });
});
