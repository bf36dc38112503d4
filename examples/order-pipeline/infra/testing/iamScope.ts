/**
 * Test support: what the IAM scope check reads. A statement is scoped when each resource is a resource of this
 * stack (a Ref or Fn::GetAtt of one, or an ARN built from one) with no `*` written into it, or `*` for an action
 * in RESOURCE_WILDCARD_ACTIONS.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { asList, identityStatements, RESOURCE_WILDCARD_ACTIONS } from "./synthPipeline.js";

/** The services whose every action must name a resource of this stack (the pipeline's data and logs). */
export const SCOPED_SERVICES: readonly string[] = ["sqs", "sns", "dynamodb", "s3", "logs", "kms"];

/** Logical ids a CloudFormation value refers to (Ref, Fn::GetAtt); pseudo parameters (AWS::...) left out. */
export function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== "object") return [];
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === "string") return object.Ref.startsWith("AWS::") ? [] : [object.Ref];
  const getAtt = object["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return [getAtt[0]];
  return Object.values(object).flatMap(referencedIds);
}

/** The literal strings written into a CloudFormation value (a plain string, Fn::Join's parts). */
export function literalsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(literalsOf);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>)
    .filter(([key]) => key !== "Ref" && key !== "Fn::GetAtt")
    .flatMap(([, inner]) => literalsOf(inner));
}

/** Every way the template's identity policies break the rule above, one line each; [] when none do. */
export function iamScopeProblems(template: Template): string[] {
  const resourceIds = new Set(Object.keys(template.toJSON().Resources as Record<string, unknown>));
  const problems: string[] = [];
  for (const { id, statement } of identityStatements(template)) {
    if (statement.Effect !== "Allow") continue;
    const actions = asList(statement.Action);
    for (const action of actions.filter((a) => a.includes("*"))) problems.push(`${id}: wildcard action ${action}`);
    for (const resource of asList(statement.Resource as unknown)) {
      const shown = JSON.stringify(resource);
      if (resource === "*") {
        for (const action of actions.filter((a) => !(a in RESOURCE_WILDCARD_ACTIONS))) {
          problems.push(`${id}: ${action} on *`);
        }
        continue;
      }
      if (literalsOf(resource).some((literal) => literal.includes("*"))) problems.push(`${id}: * in ${shown}`);
      const scoped = actions.filter((action) => SCOPED_SERVICES.includes(action.split(":")[0]!));
      const refs = referencedIds(resource);
      if (scoped.length > 0 && (refs.length === 0 || refs.some((ref) => !resourceIds.has(ref)))) {
        problems.push(`${id}: ${scoped.join(",")} on ${shown}, not a resource of this stack`);
      }
    }
  }
  return problems;
}

/** The actions granted on "*" anywhere in the identity policies. */
export function actionsOnEveryResource(template: Template): string[] {
  return identityStatements(template)
    .filter(({ statement }) => statement.Effect === "Allow" && asList(statement.Resource as unknown).includes("*"))
    .flatMap(({ statement }) => asList(statement.Action));
}
