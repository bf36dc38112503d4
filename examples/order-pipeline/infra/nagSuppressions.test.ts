import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ACCEPTED_FINDINGS } from "./nagSuppressions.js";

const deployDoc = readFileSync(new URL("../../../docs/deploy.md", import.meta.url), "utf8");
const securitySection = deployDoc.slice(deployDoc.indexOf("\n## Security\n"));

describe("the accepted cdk-nag findings", () => {
  it("each have a one-line reason a reviewer can read", () => {
    for (const { ruleId, reason } of ACCEPTED_FINDINGS) {
      expect(ruleId).toMatch(/^AwsSolutions-[A-Z]+\d+$/);
      expect(reason.length, ruleId).toBeGreaterThanOrEqual(40);
      expect(reason, ruleId).not.toContain("\n");
    }
    expect(new Set(ACCEPTED_FINDINGS.map((finding) => finding.ruleId)).size).toBe(ACCEPTED_FINDINGS.length);
  });

  it("are each listed in docs/deploy.md's security section, where and why, as the code has them", () => {
    expect(securitySection.length).toBeGreaterThan(100);
    for (const { ruleId, where, reason } of ACCEPTED_FINDINGS) {
      expect(securitySection, ruleId).toContain(`| ${ruleId} | ${where} | ${reason} |`);
    }
  });
});
