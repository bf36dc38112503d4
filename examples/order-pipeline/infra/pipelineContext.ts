/**
 * The stack's settings as `-c key=value` context, read the same way by `cdk deploy` (cdk.json runs app.ts)
 * and by `npm run synth` (synth.ts): `processor`, `prefix`, `alarmEmail`, `vpcFlowLogs`, `albAccessLogs`.
 */
import type { App } from "aws-cdk-lib";
import type { NetworkLogOptions } from "./constructs/NetworkLogs.js";
import { type PaymentProcessorKind, parsePaymentProcessorKind } from "./constructs/processorKind.js";
import { STACK_NAME } from "./outputs.js";

/** What the context chooses. */
export interface PipelineContext {
  /** `prefix` + OrderPipeline: `-c prefix=dev-` deploys a second copy beside the first. */
  readonly stackName: string;
  readonly processor: PaymentProcessorKind;
  readonly prefix: string;
  readonly alarmEmail?: string;
  readonly logs: Required<NetworkLogOptions>;
}

/**
 * `-c key=value` pairs from the command line (the CDK CLI passes its own in CDK_CONTEXT_JSON, which App reads).
 * @throws Error naming the pair when one has no `=` or no key.
 */
export function parseContextArgs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`Expected \`-c\` to be key=value, got ${pair}`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return context;
}

/** Reads the stack's settings from `app`'s context, defaults first. */
export function readPipelineContext(app: App): PipelineContext {
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const prefix = text("prefix") ?? "";
  return {
    stackName: prefix + STACK_NAME,
    processor: parsePaymentProcessorKind(app.node.tryGetContext("processor")),
    prefix,
    alarmEmail: text("alarmEmail"),
    logs: {
      vpcFlowLogs: parseSwitch("vpcFlowLogs", app.node.tryGetContext("vpcFlowLogs")),
      albAccessLogs: parseSwitch("albAccessLogs", app.node.tryGetContext("albAccessLogs")),
    },
  };
}

/**
 * An on/off context value, on when absent. Context from the command line is a string, from cdk.json a boolean.
 * @throws Error naming the key when the value is neither.
 */
export function parseSwitch(key: string, value: unknown): boolean {
  if (value === undefined || value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new Error(`Expected \`${key}\` to be true or false, got ${String(value)}`);
}
