/**
 * cdk-nag's AwsSolutions rules over an app, with the outcome kept in memory: what the synth step prints and
 * what the tests assert. The pack's own loggers still run too: findings become annotations (so `cdk synth`
 * and `cdk deploy` refuse an unsuppressed error) and a CSV report is written into the cloud assembly.
 */
import { Aspects, type IAspect } from "aws-cdk-lib";
import {
  AwsSolutionsChecks,
  type INagLogger,
  type NagLoggerErrorData,
  type NagLoggerNonComplianceData,
  type NagLoggerSuppressedData,
  type NagLoggerSuppressedErrorData,
} from "cdk-nag";
import type { IConstruct } from "constructs";

/** One rule outcome on one resource. */
export interface NagFinding {
  /** e.g. `AwsSolutions-IAM5`. */
  readonly ruleId: string;
  /** The finding within the rule (`Resource::*` for IAM5), or "" when the rule has one. */
  readonly findingId: string;
  /** `Error` or `Warning`, as cdk-nag names its levels. */
  readonly level: string;
  /** The resource's construct path. */
  readonly path: string;
  /** What the rule checks. */
  readonly info: string;
  /** Set when a suppression accepted it. */
  readonly suppressedBecause?: string;
}

/** The findings of one synthesis, filled in while the app synthesizes. */
export class NagFindings implements INagLogger {
  readonly #findings: NagFinding[] = [];

  /** Unsuppressed findings (and rules that failed to run, as errors). */
  get open(): readonly NagFinding[] {
    return this.#findings.filter((finding) => finding.suppressedBecause === undefined);
  }

  /** Findings accepted by a suppression. */
  get suppressed(): readonly NagFinding[] {
    return this.#findings.filter((finding) => finding.suppressedBecause !== undefined);
  }

  onNonCompliance(data: NagLoggerNonComplianceData): void {
    this.#findings.push(toFinding(data, data.findingId));
  }

  onSuppressed(data: NagLoggerSuppressedData): void {
    this.#findings.push({ ...toFinding(data, data.findingId), suppressedBecause: data.suppressionReason });
  }

  // A rule that throws has checked nothing: count it as an error, so it cannot pass silently.
  onError(data: NagLoggerErrorData): void {
    this.#findings.push({ ...toFinding(data, ""), level: "Error", info: `rule failed: ${data.errorMessage}` });
  }

  onSuppressedError(data: NagLoggerSuppressedErrorData): void {
    this.#findings.push({ ...toFinding(data, ""), suppressedBecause: data.errorSuppressionReason });
  }

  onCompliance(): void {}

  onNotApplicable(): void {}
}

function toFinding(data: NagLoggerErrorData | NagLoggerNonComplianceData, findingId: string): NagFinding {
  return {
    ruleId: data.ruleId,
    findingId,
    level: String(data.ruleLevel),
    path: data.resource.node.path,
    info: data.ruleInfo,
  };
}

/** Runs the AwsSolutions pack over `scope` when it synthesizes; the returned findings fill in then. */
export function addNagChecks(scope: IConstruct): NagFindings {
  const findings = new NagFindings();
  const checks: IAspect = new AwsSolutionsChecks({ additionalLoggers: [findings] });
  Aspects.of(scope).add(checks);
  return findings;
}

/** Counts per rule, e.g. `AwsSolutions-ECS2 x2, AwsSolutions-EC23`. */
export function countByRule(findings: readonly NagFinding[]): string {
  const counts = new Map<string, number>();
  for (const { ruleId } of findings) counts.set(ruleId, (counts.get(ruleId) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, count]) => (count > 1 ? `${rule} x${count}` : rule))
    .join(", ");
}

/** The synth step's summary of one variant: a headline, then one line per open finding. */
export function formatNagSummary(label: string, findings: NagFindings): string {
  const open = findings.open;
  const errors = open.filter((finding) => finding.level === "Error").length;
  const suppressed = findings.suppressed;
  const lines = [
    `cdk-nag AwsSolutions, ${label}: ${errors} unsuppressed errors, ${open.length - errors} unsuppressed warnings, ` +
      `${suppressed.length} suppressed${suppressed.length > 0 ? ` (${countByRule(suppressed)})` : ""}`,
  ];
  for (const finding of open) {
    const id = finding.findingId ? `${finding.ruleId}[${finding.findingId}]` : finding.ruleId;
    lines.push(`  ${finding.level} ${id} on ${finding.path}: ${finding.info}`);
  }
  return lines.join("\n");
}
