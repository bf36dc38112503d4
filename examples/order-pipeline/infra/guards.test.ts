import { describe, expect, it } from "vitest";
import { pipelineConfig } from "../src/config.js";
import { checkedStopTimeout } from "./constructs/OrderServices.js";
import { checkVisibilityRule } from "./constructs/PaymentFunctions.js";
import { PAYMENT_PROCESSOR_KINDS, parsePaymentProcessorKind } from "./constructs/processorKind.js";

describe("the stack's guards on the shared config", () => {
  it("accepts the config's ECS stop timeout, which covers the drain deadline", () => {
    expect(checkedStopTimeout().toSeconds()).toBe(pipelineConfig.ecsStopTimeoutSeconds);
    expect(pipelineConfig.ecsStopTimeoutSeconds * 1000).toBeGreaterThanOrEqual(pipelineConfig.drainTimeoutMs);
  });

  it("refuses a stop timeout shorter than the drain deadline, or above Fargate's 120 s", () => {
    expect(() => checkedStopTimeout(20, 25_000)).toThrow(/`ecsStopTimeoutSeconds` to be at least .* \(25\) .*, got 20/);
    expect(() => checkedStopTimeout(121, 25_000)).toThrow(/at most 120, got 121/);
    expect(checkedStopTimeout(25, 25_000).toSeconds()).toBe(25);
  });

  it("refuses a Lambda queue visibility below six function timeouts, naming the option", () => {
    expect(() => checkVisibilityRule(59, 10)).toThrow(
      /`lambda.queueVisibilityTimeoutSeconds` to be at least .* \(60\), got 59/,
    );
    expect(() => checkVisibilityRule(60, 10)).not.toThrow();
    expect(() =>
      checkVisibilityRule(pipelineConfig.lambda.queueVisibilityTimeoutSeconds, pipelineConfig.lambda.timeoutSeconds),
    ).not.toThrow();
  });

  it("reads the processor context value, defaulting to ecs and refusing anything else", () => {
    expect(parsePaymentProcessorKind(undefined)).toBe("ecs");
    for (const kind of PAYMENT_PROCESSOR_KINDS) expect(parsePaymentProcessorKind(kind)).toBe(kind);
    expect(() => parsePaymentProcessorKind("fargate")).toThrow(
      "Expected `processor` to be one of ecs, lambda, lambda-sns, got fargate",
    );
  });
});
