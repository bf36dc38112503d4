/**
 * What a simulation returns: per-message reports built from the event log, the effects, the violations, and a
 * failure report with the seed and a minimal trace (only the events of the offending messages and keys, plus the
 * crashes, outages and clock jumps around them).
 */
import { ResilientJobsError } from "../../errors.js";
import type { GroupOverlap } from "./groupOrder.js";
import { formatEvent, type SimEvent, serializeEvents } from "./trace.js";

/** One effect the handler recorded with `kit.effect(key)`. */
export interface EffectRecord {
  /** Virtual milliseconds since the start. */
  readonly at: number;
  readonly key: string;
  /** The simulator's id of the message it was recorded for, when the handler passed it. */
  readonly message: string | undefined;
  readonly process: number;
  /** False when the process had crashed before: a dead process has no effects. */
  readonly counted: boolean;
}

/** How a message ended. `inQueue`: a copy was still in the queue (visible, in flight or delayed) at the end. */
export type MessageFinal = "acked" | "deadLettered" | "inQueue";

/** What happened to one message. */
export interface MessageReport {
  /** The simulator's id (`SimMessage.id`, else `m-0001`, `m-0002`, ...). */
  readonly id: string;
  /** Receives of any of its copies. */
  readonly deliveries: number;
  /** Each handler outcome in order: `succeeded`, or `failed:<action>` (retry, deadLetter, handBack, abandon). */
  readonly outcomes: readonly string[];
  /** Its counted effects. */
  readonly effects: readonly EffectRecord[];
  readonly final: MessageFinal;
  /** Its message group, on a FIFO queue. */
  readonly groupId?: string;
}

/** A broken invariant, with the messages and keys whose events explain it. */
export interface Violation {
  /** The invariant's name. */
  readonly invariant: string;
  readonly description: string;
  readonly messages?: readonly string[];
  readonly keys?: readonly string[];
}

/** What an invariant sees. */
export interface SimulationRun {
  readonly seed: number;
  /** True when every copy of every message ended before `until`. */
  readonly settled: boolean;
  /** Virtual milliseconds the run took. */
  readonly elapsedMs: number;
  /** Consumer processes started (1 + restarts). */
  readonly processes: number;
  readonly messages: readonly MessageReport[];
  /** Every effect, counted or not, in order. */
  readonly effects: readonly EffectRecord[];
  readonly events: readonly SimEvent[];
  /** The queue at the end. */
  readonly queue: { readonly visible: number; readonly inFlight: number; readonly delayed: number };
  /** Handlers the live consumer still ran at the end. */
  readonly consumerInFlight: number;
  /** True on a FIFO queue (`queue.fifo`). */
  readonly fifo?: boolean;
  /** FIFO runs: each time two handlers of one group ran at once in one process (none on a correct consumer). */
  readonly groupOverlaps?: readonly GroupOverlap[];
}

/** The outcome of `simulate()`. */
export interface SimulationResult extends SimulationRun {
  /** True when no invariant was violated. */
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** The event log as JSON lines: identical, byte for byte, for two runs of the same seed and options. */
  log(): string;
  /** The failure report: seed, violations, and the minimal trace of each; a one-liner when ok. */
  report(): string;
  /** Throws a {@link SimulationFailedError} carrying {@link report} when an invariant was violated. */
  assertOk(): void;
}

/** A simulation broke an invariant; the message is the report (seed, violations, minimal trace). */
export class SimulationFailedError extends ResilientJobsError {
  override name = "SimulationFailedError";
  readonly seed: number;
  readonly violations: readonly Violation[];

  constructor(result: Pick<SimulationResult, "seed" | "violations" | "report">) {
    super("SIMULATION_FAILED", result.report());
    this.seed = result.seed;
    this.violations = result.violations;
  }
}

/** Builds each message's report from the event log. */
export function messageReports(
  names: readonly string[],
  events: readonly SimEvent[],
  effects: readonly EffectRecord[],
  openNames: ReadonlySet<string>,
  groups?: ReadonlyMap<string, string>,
): MessageReport[] {
  const reports = new Map(
    names.map((id) => [
      id,
      { id, deliveries: 0, outcomes: [] as string[], effects: [] as EffectRecord[], acked: false, dead: false },
    ]),
  );
  for (const event of events) {
    const report = event.message === undefined ? undefined : reports.get(event.message);
    if (report === undefined) continue;
    if (event.type === "received") report.deliveries++;
    else if (event.type === "succeeded") report.outcomes.push("succeeded");
    else if (event.type === "failed") report.outcomes.push(`failed:${event.detail?.split(" ")[0] ?? "unknown"}`);
    else if (event.type === "acked") report.acked = true;
    else if (event.type === "deadLettered") report.dead = true;
  }
  for (const effect of effects) {
    if (effect.counted && effect.message !== undefined) reports.get(effect.message)?.effects.push(effect);
  }
  return [...reports.values()].map(({ id, deliveries, outcomes, effects: own, acked, dead }) => {
    const final: MessageFinal = openNames.has(id)
      ? "inQueue"
      : dead && !acked
        ? "deadLettered"
        : acked
          ? "acked"
          : "inQueue";
    const groupId = groups?.get(id);
    return Object.freeze({
      id,
      deliveries,
      outcomes,
      effects: own,
      final,
      ...(groupId === undefined ? {} : { groupId }),
    });
  });
}

/** Events that give context to any failure: the process dying and starting, outages, clock steps. */
const CONTEXT_EVENTS = new Set([
  "crashed",
  "restarted",
  "outageStarted",
  "outageEnded",
  "clockJumped",
  "paused",
  "resumed",
]);
/** A minimal trace longer than this is cut in the middle: its start and end explain most failures. */
const MAX_TRACE_LINES = 80;

/** The events of a violation's messages and keys, with the context events, as lines. */
export function minimalTrace(violation: Violation, events: readonly SimEvent[]): string[] {
  const messages = new Set(violation.messages ?? []);
  const keys = new Set(violation.keys ?? []);
  const lines = events
    .filter(
      (e) =>
        CONTEXT_EVENTS.has(e.type) ||
        (e.message !== undefined && messages.has(e.message)) ||
        (e.key !== undefined && keys.has(e.key)),
    )
    .map(formatEvent);
  if (lines.length <= MAX_TRACE_LINES) return lines;
  const half = MAX_TRACE_LINES / 2;
  return [
    ...lines.slice(0, half),
    `  ... ${lines.length - MAX_TRACE_LINES} events left out ...`,
    ...lines.slice(-half),
  ];
}

/** The failure report of a run. */
export function formatReport(run: SimulationRun, violations: readonly Violation[]): string {
  if (violations.length === 0) {
    return `Simulation ok (seed ${run.seed}): ${run.messages.length} messages, ${run.processes} process(es), ${run.elapsedMs} virtual ms`;
  }
  const out = [
    `Simulation failed (seed ${run.seed}): ${violations.length} invariant violation(s) after ${run.elapsedMs} virtual ms, ${run.processes} process(es)`,
    `Replay it: run simulate() with the same options and seed: ${run.seed}`,
  ];
  for (const violation of violations) {
    out.push("", `${violation.invariant}: ${violation.description}`, ...minimalTrace(violation, run.events));
  }
  return out.join("\n");
}

/** Binds the result's methods. */
export function toResult(run: SimulationRun, violations: readonly Violation[]): SimulationResult {
  const result: SimulationResult = {
    ...run,
    ok: violations.length === 0,
    violations,
    log: () => serializeEvents(run.events),
    report: () => formatReport(run, violations),
    assertOk: () => {
      if (violations.length > 0) throw new SimulationFailedError(result);
    },
  };
  return Object.freeze(result);
}
