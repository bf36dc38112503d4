import { App, Stack } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { NagSuppressions } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { addNagChecks, formatNagSummary } from "./nagFindings.js";

// A queue without a DLQ, TLS policy or encryption choice: cdk-nag's AwsSolutions checks flag SQS3 and SQS4.
function synthesizeBareQueue(suppress: boolean) {
  const app = new App();
  const findings = addNagChecks(app);
  const stack = new Stack(app, "Bare");
  const queue = new sqs.Queue(stack, "Queue");
  if (suppress)
    NagSuppressions.addResourceSuppressions(queue, [{ id: "AwsSolutions-SQS3", reason: "accepted in a test" }]);
  app.synth();
  return findings;
}

describe("cdk-nag findings and the synth step's summary", () => {
  it("reports an unsuppressed error with its rule and resource, so the synth step can fail on it", () => {
    const findings = synthesizeBareQueue(false);
    expect(findings.open.map((f) => [f.ruleId, f.level, f.path])).toContainEqual([
      "AwsSolutions-SQS3",
      "Error",
      "Bare/Queue/Resource",
    ]);
    const summary = formatNagSummary("processor test", findings);
    expect(summary).toMatch(/^cdk-nag AwsSolutions, processor test: [1-9]\d* unsuppressed errors/);
    expect(summary).toContain("Error AwsSolutions-SQS3 on Bare/Queue/Resource");
  });

  it("counts a suppressed finding apart, with its reason", () => {
    const findings = synthesizeBareQueue(true);
    expect(findings.open.map((f) => f.ruleId)).not.toContain("AwsSolutions-SQS3");
    expect(findings.suppressed).toEqual([
      expect.objectContaining({ ruleId: "AwsSolutions-SQS3", suppressedBecause: "accepted in a test" }),
    ]);
    expect(formatNagSummary("x", findings)).toContain("1 suppressed (AwsSolutions-SQS3)");
  });
});
