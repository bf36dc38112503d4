import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { parseContextArgs, parseSwitch, readPipelineContext } from "./pipelineContext.js";

describe("the stack's context", () => {
  it("defaults to the ECS processor, no prefix, and both network logs on", () => {
    expect(readPipelineContext(new App())).toEqual({
      stackName: "OrderPipeline",
      processor: "ecs",
      prefix: "",
      alarmEmail: undefined,
      logs: { vpcFlowLogs: true, albAccessLogs: true },
    });
  });

  it("reads -c pairs, prefixing the stack name and turning a log off", () => {
    const context = parseContextArgs(["processor=lambda", "prefix=dev-", "vpcFlowLogs=false"]);
    expect(readPipelineContext(new App({ context }))).toMatchObject({
      stackName: "dev-OrderPipeline",
      processor: "lambda",
      logs: { vpcFlowLogs: false, albAccessLogs: true },
    });
  });

  it("takes true or false, as cdk.json's booleans or the command line's strings, and refuses anything else", () => {
    expect([parseSwitch("k", undefined), parseSwitch("k", "true"), parseSwitch("k", true)]).toEqual([true, true, true]);
    expect([parseSwitch("k", "false"), parseSwitch("k", false)]).toEqual([false, false]);
    expect(() => parseSwitch("albAccessLogs", "off")).toThrow("Expected `albAccessLogs` to be true or false, got off");
    expect(() => parseContextArgs(["processor"])).toThrow("Expected `-c` to be key=value, got processor");
  });
});
