/** `npm run aws-resources`'s command line, checked by the launcher before it bundles (src/scripts/aws-resources.ts runs it). */
import { type HelpRequest, parseScriptArgs, UsageError } from "./scriptArgs.js";

/** The command's usage text. */
export const AWS_RESOURCES_USAGE = `Usage: npm run aws-resources -w examples/order-pipeline -- create|delete [--prefix <name prefix>]

Creates or deletes the pipeline's queues, topic and tables in the account and region of the standard AWS
environment (AWS_PROFILE / AWS_REGION / credentials). \`create\` prints the ORDERS_... variables the aws backend reads.

  --prefix dev-   prefix of every resource name (default none)
  -h, --help      this help`;

/** Checks the command line; throws {@link UsageError} when it cannot run. */
export function parseAwsResourcesArgs(args: readonly string[]): HelpRequest | { readonly help: false } {
  const parsed = parseScriptArgs(args, { prefix: { type: "string" } }, { allowPositionals: true });
  if (parsed.help) return parsed;
  const [command, ...extra] = parsed.positionals;
  if (command !== "create" && command !== "delete") {
    throw new UsageError(
      command === undefined
        ? "missing the command: create or delete"
        : `unknown command ${JSON.stringify(command)}: create or delete`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  return { help: false };
}
