/** `resilient-jobs replay`: parses its flags into `replayDeadLetters` options, shows progress, prints the summary. */
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  type ReplayProgress,
  type ReplayResult,
  type ReplayWhere,
  replayDeadLetters,
} from "../ops/replayDeadLetters.js";
import type { CommandOutput } from "./commands.js";

/** The replay flags, as parsed (strings, repeatable `--where`). */
export interface ReplayFlags {
  readonly to: string | undefined;
  readonly max: number | undefined;
  readonly where: readonly string[];
  readonly since: string | undefined;
  readonly olderThan: string | undefined;
  readonly rate: string | undefined;
  readonly dryRun: boolean;
  readonly showBody: boolean;
  readonly visibilityTimeout: string | undefined;
}

/** Thrown for a flag that does not parse; runCli turns it into a usage error (exit 2). */
export class ReplayUsageError extends Error {}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `1d` in milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const match = DURATION.exec(text);
  if (!match)
    throw new ReplayUsageError(`${flag} must be a duration like 90s, 30m, 2h or 1d, got ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** `code=X` (repeat for several codes), `reason=<text>`, `attribute.<name>=<value>`, `receives>=N`, `receives<=N`. */
export function parseWhere(clauses: readonly string[]): ReplayWhere {
  const codes: string[] = [];
  const attributes: Record<string, string> = {};
  const where: { -readonly [K in keyof ReplayWhere]: ReplayWhere[K] } = {};
  for (const clause of clauses) {
    const receives = /^receives(>=|<=)(\d+)$/.exec(clause);
    if (receives) {
      if (receives[1] === ">=") where.minReceiveCount = Number(receives[2]);
      else where.maxReceiveCount = Number(receives[2]);
      continue;
    }
    const eq = clause.indexOf("=");
    const key = eq > 0 ? clause.slice(0, eq) : "";
    const value = clause.slice(eq + 1);
    if (key === "code" && value) codes.push(value);
    else if (key === "reason" && value) where.reason = value;
    else if (key.startsWith("attribute.") && key.length > 10) attributes[key.slice(10)] = value;
    else {
      throw new ReplayUsageError(
        `--where ${JSON.stringify(clause)}: expected code=<CODE>, reason=<text>, attribute.<name>=<value>, receives>=<n> or receives<=<n>`,
      );
    }
  }
  if (codes.length > 0) where.code = codes;
  if (Object.keys(attributes).length > 0) where.attributes = attributes;
  return where;
}

/** Checks the flags before any call. @throws ReplayUsageError */
export function checkReplayFlags(flags: ReplayFlags): void {
  parseWhere(flags.where);
  if (flags.since !== undefined) parseDuration("--since", flags.since);
  if (flags.olderThan !== undefined) parseDuration("--older-than", flags.olderThan);
  const hide = flags.visibilityTimeout;
  if (hide !== undefined && !(/^\d+$/.test(hide) && Number(hide) >= 1 && Number(hide) <= 43_200)) {
    throw new ReplayUsageError(
      `--visibility-timeout must be whole seconds from 1 to 43200, got ${JSON.stringify(hide)}`,
    );
  }
  if (
    flags.rate !== undefined &&
    !(/^\d+(\.\d+)?$/.test(flags.rate) && Number(flags.rate) > 0 && Number(flags.rate) <= 3000)
  ) {
    throw new ReplayUsageError(
      `--rate must be a number of messages per second above 0, at most 3000, got ${JSON.stringify(flags.rate)}`,
    );
  }
}

/** A progress line that rewrites itself (only on a terminal). */
function formatProgress(p: ReplayProgress): string {
  const eta = p.etaSeconds === undefined ? "" : `  ETA ${p.etaSeconds} s`;
  const total = p.total === undefined ? "" : ` of ~${p.total}`;
  return `\rscanned ${p.scanned}${total}  matched ${p.matched}  sent ${p.sent}  ${p.ratePerSecond.toFixed(1)}/s${eta}   `;
}

/** `replay <dlq-url> [--where k=v]... [--since 2h] [--older-than 1h] [--rate 20] [--max n] [--to url] [--dry-run]` */
export async function replayCommand(
  client: SQSClient,
  from: string,
  flags: ReplayFlags,
  progress: ((line: string) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<CommandOutput> {
  let shown = false;
  const result = await replayDeadLetters({
    client,
    from,
    ...(flags.to === undefined ? {} : { to: flags.to }),
    ...(flags.max === undefined ? {} : { max: flags.max }),
    where: {
      ...parseWhere(flags.where),
      ...(flags.since === undefined ? {} : { newerThanMs: parseDuration("--since", flags.since) }),
      ...(flags.olderThan === undefined ? {} : { olderThanMs: parseDuration("--older-than", flags.olderThan) }),
    },
    ...(flags.rate === undefined ? {} : { perSecond: Number(flags.rate) }),
    dryRun: flags.dryRun,
    includeBody: flags.showBody,
    ...(flags.visibilityTimeout === undefined ? {} : { visibilityTimeoutSeconds: Number(flags.visibilityTimeout) }),
    ...(signal ? { signal } : {}),
    ...(progress
      ? {
          onProgress: (p: ReplayProgress) => {
            shown = true;
            progress(formatProgress(p));
          },
        }
      : {}),
  });
  if (shown) progress?.("\n");
  // A failure fails the run, stopped by Ctrl-C or not; a clean run stopped by Ctrl-C exits 0 (the warning says so).
  const failedSome = result.failed > 0 || result.deleteFailed > 0;
  const warnings = [...result.warnings];
  if (result.freshDeduplicationIds > 0) {
    warnings.push(
      `${result.freshDeduplicationIds} message(s) got a fresh deduplication id: their original was used less than 5 minutes ago and SQS would have dropped them`,
    );
  }
  if (result.stoppedBecause === "aborted")
    warnings.push("Stopped: every batch sent was deleted from the DLQ; the rest is still there");
  return {
    text: formatReplay(result),
    json: result,
    exitCode: failedSome ? 1 : 0,
    ...(warnings.length > 0 ? { warning: warnings.join("\nresilient-jobs: ") } : {}),
  };
}

function formatReplay(result: ReplayResult): string {
  const reasons = Object.entries(result.byReason)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `  ${String(n).padStart(6)}  ${code}`);
  const head = result.dryRun
    ? `Dry run: ${result.matched} of ${result.scanned} message(s) in ${result.from} would move to ${result.to ?? "(no destination: pass --to)"}; nothing was changed.`
    : `Replayed ${result.moved} of ${result.matched} matching message(s) (${result.scanned} scanned) from ${result.from} to ${result.to}${
        result.failed > 0 ? `; ${result.failed} failed (still in the DLQ)` : ""
      }${result.deleteFailed > 0 ? `; ${result.deleteFailed} sent but not deleted (they will be replayed again)` : ""}.`;
  const listing = result.dryRun
    ? result.messages.map(
        (m) =>
          `  ${m.id}  ${m.code ?? "(no reason)"}  age ${m.ageSeconds} s  receives ${m.receiveCount}${m.reason ? `  ${m.reason}` : ""}${
            m.bodyExcerpt === undefined ? "" : `\n      body: ${m.bodyExcerpt}`
          }`,
      )
    : [];
  return [head, ...(reasons.length ? ["By reason:", ...reasons] : []), ...listing].join("\n");
}
