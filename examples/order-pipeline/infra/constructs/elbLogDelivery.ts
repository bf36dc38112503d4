import { Aws, CfnCondition, CfnMapping, Fn, type ICfnConditionExpression } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { FactName, RegionInfo } from "aws-cdk-lib/region-info";
import type { Construct } from "constructs";

/** The service principal that writes ALB access logs in Regions opened from August 2022 on. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** CloudFormation allows 2 to 10 conditions in one Fn::Or. */
const MAX_OR_CONDITIONS = 10;

/**
 * Who may write a load balancer's access logs into a bucket, decided at deploy time. AWS names a per-Region
 * Elastic Load Balancing account in Regions older than August 2022 and a service principal in newer ones. The
 * CDK's `logAccessLogs` picks one at synth and so needs a concrete Region; this stack is environment-agnostic,
 * so the choice is a CloudFormation condition on AWS::Region over the accounts the CDK knows (its region-info
 * table), and any Region not in it gets the service principal.
 */
export function elbLogDeliveryPrincipal(scope: Construct): iam.IPrincipal {
  const accounts = RegionInfo.regionMap(FactName.ELBV2_ACCOUNT);
  const regions = Object.keys(accounts).sort();
  const mapping = new CfnMapping(scope, "ElbLogDeliveryAccounts", {
    mapping: Object.fromEntries(regions.map((region) => [region, { account: accounts[region] }])),
  });
  const isAccountRegion = new CfnCondition(scope, "ElbLogDeliveryByAccount", {
    expression: anyRegionOf(regions),
  });
  const accountRoot = Fn.join("", ["arn:", Aws.PARTITION, ":iam::", mapping.findInMap(Aws.REGION, "account"), ":root"]);
  // One of the two keys survives: AWS::NoValue removes the other from the deployed policy.
  return new DeployTimePrincipal({
    AWS: [Fn.conditionIf(isAccountRegion.logicalId, accountRoot, Aws.NO_VALUE).toString()],
    Service: [Fn.conditionIf(isAccountRegion.logicalId, Aws.NO_VALUE, ELB_LOG_DELIVERY_SERVICE).toString()],
  });
}

function anyRegionOf(regions: readonly string[]): ICfnConditionExpression {
  const equals = regions.map((region) => Fn.conditionEquals(Aws.REGION, region));
  if (equals.length <= MAX_OR_CONDITIONS) return Fn.conditionOr(...equals);
  const groups: ICfnConditionExpression[] = [];
  for (let i = 0; i < equals.length; i += MAX_OR_CONDITIONS) {
    const group = equals.slice(i, i + MAX_OR_CONDITIONS);
    groups.push(group.length === 1 ? group[0]! : Fn.conditionOr(...group));
  }
  return Fn.conditionOr(...groups);
}

/** A principal whose policy fragment is given as is (here: keys chosen by a condition at deploy time). */
class DeployTimePrincipal extends iam.PrincipalBase {
  readonly #principalJson: Record<string, string[]>;

  constructor(principalJson: Record<string, string[]>) {
    super();
    this.#principalJson = principalJson;
  }

  override get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment(this.#principalJson);
  }

  override toString(): string {
    return "ElbLogDeliveryPrincipal";
  }

  override dedupeString(): string | undefined {
    return undefined;
  }
}
