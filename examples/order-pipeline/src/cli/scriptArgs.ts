/**
 * Command-line parsing shared by the example's scripts (`npm start`, `npm run flash-sale`, `npm run chaos`...).
 * No SDK import and no relative import that needs a build: the launcher (launch.ts) runs this straight from the
 * TypeScript source, so `--help` and a mistyped flag are answered before anything is built.
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/** A command line the script cannot run: the message is one line, shown above the usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `--help` was asked for. */
export interface HelpRequest {
  readonly help: true;
}

/**
 * Parses `args` strictly against `options` (plus `--help`/`-h`). Resolves to the flag values, or to a
 * {@link HelpRequest} when help was asked for (whatever else is on the line). Throws {@link UsageError} for an
 * unknown flag, a missing value or a stray argument, in one line (node's own errors carry a stack and a hint
 * about `--` that does not apply to npm scripts).
 */
export function parseScriptArgs<O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  config: { allowPositionals?: boolean } = {},
): HelpRequest | { readonly help: false; values: Record<string, string | boolean | undefined>; positionals: string[] } {
  if (args.includes("--help") || args.includes("-h")) return { help: true };
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: config.allowPositionals ?? false,
    });
    return { help: false, values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError(oneLine(error));
  }
}

// Node's messages: "Unknown option '--speed'. To specify a positional argument starting with a '-', place it at
// the end of the command after '--', as in '-- \"--speed\"" and "Option '--users <value>' argument missing".
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(--[^ ']+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const positional = /^Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument ${positional[1]}`;
  return message.split("\n")[0] ?? message;
}

/** A flag's value as a finite number; throws {@link UsageError} naming the flag. */
export function numberFlag(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(`Expected \`${flag}\` to be a number, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** A string flag turned into a number when given; undefined when not. */
export function optionalNumber(flag: string, value: string | boolean | undefined): number | undefined {
  return typeof value === "string" ? numberFlag(flag, value) : undefined;
}

/** What a script prints for a usage error: the one-line reason, then the usage, for stderr. */
export function usageErrorText(script: string, error: UsageError, usage: string): string {
  return `${script}: ${error.message}\n\n${usage}\n`;
}

/** `value` rounded up to two significant digits, for a suggestion in a message (10 / 3000 -> 0.0034, not 0.00333...). */
export function roundUpForDisplay(value: number): number {
  if (!(value > 0)) return value;
  const step = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Number((Math.ceil(value / step) * step).toPrecision(2));
}
