import { describe, expect, it } from "vitest";
import { ACCEPTED_FINDINGS } from "./nagSuppressions.js";
import { resourcesOf, synthesizeOnce } from "./testing/synthPipeline.js";

// `-c vpcFlowLogs=false -c albAccessLogs=false`: both optional logs off, to save what they cost.
const pipeline = synthesizeOnce("ecs", { logs: { vpcFlowLogs: false, albAccessLogs: false } });

describe("OrderPipelineStack with the optional network logs turned off", () => {
  it("creates no flow log, no access-log bucket, and leaves the load balancer's access logs off", () => {
    const { template } = pipeline();
    template.resourceCountIs("AWS::EC2::FlowLog", 0);
    template.resourceCountIs("AWS::S3::Bucket", 0);
    const [lb] = Object.values(resourcesOf(template, "AWS::ElasticLoadBalancingV2::LoadBalancer"));
    expect(JSON.stringify(lb?.Properties.LoadBalancerAttributes)).not.toContain("access_logs");
  });

  it("still passes cdk-nag, the two missing logs suppressed with the reason that names the switch", () => {
    const { findings } = pipeline();
    expect(findings.open).toEqual([]);
    const reasons = new Map(ACCEPTED_FINDINGS.map((finding) => [finding.ruleId, finding.reason]));
    for (const rule of ["AwsSolutions-VPC7", "AwsSolutions-ELB2"]) {
      const suppressed = findings.suppressed.filter((finding) => finding.ruleId === rule);
      expect(suppressed, rule).toHaveLength(1);
      expect(suppressed[0]?.suppressedBecause).toBe(reasons.get(rule));
    }
    expect(reasons.get("AwsSolutions-VPC7")).toContain("-c vpcFlowLogs=false");
    expect(reasons.get("AwsSolutions-ELB2")).toContain("-c albAccessLogs=false");
  });
});
