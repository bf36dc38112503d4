import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Where a table lives, as error messages say it: `table "orders-idempotency" in us-east-1`. A wrong region looks
 * exactly like a missing table (ResourceNotFoundException), so every store error names both.
 */
export async function describeTableLocation(client: DynamoDBClient, tableName: string): Promise<string> {
  return `table "${tableName}" ${await describeRegion(client)}`;
}

/** `in us-east-1`, or what is wrong with the client's region. Never throws. */
export async function describeRegion(client: DynamoDBClient): Promise<string> {
  // The resolved config holds a provider (a function), or a plain value on a hand-made client.
  const region = (client as { config?: { region?: unknown } }).config?.region;
  if (region === undefined) return "in an unknown region";
  try {
    const value = typeof region === "function" ? await (region as () => Promise<unknown>)() : region;
    if (typeof value === "string" && value !== "") return `in ${value}`;
  } catch {
    // The SDK throws "Region is missing" when neither the client nor the environment names one.
  }
  return "with no region configured (set AWS_REGION or the client's `region`)";
}
