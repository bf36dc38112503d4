/**
 * Invariants: what must hold after every run, whatever the faults. Three built-ins are always checked (four on a
 * FIFO queue); a user adds named built-ins or functions of the run.
 */
import { groupOrderViolations } from "./groupOrder.js";
import type { SimulationRun, Violation } from "./report.js";

/** A user invariant: returns what is wrong (one or several violations, or a sentence), or nothing when it holds. */
export type InvariantCheck = (run: SimulationRun) => Violation | readonly Violation[] | string | undefined;

/** An invariant: a built-in by name, or a named check. */
export type Invariant = BuiltInInvariant | { readonly name: string; readonly check: InvariantCheck } | InvariantCheck;

/**
 * - `settled`: every message ends acked or dead-lettered (every copy, duplicates included), before `until`.
 * - `effectsAtMostOnce`: an effect recorded under a key happens at most once (effects of a crashed process do
 *   not count).
 * - `nothingInFlight`: nothing is in flight at the end (neither in the queue nor in the consumer).
 * - `ackedHasEffect` (opt-in): every acked message has at least one effect; catches acks sent before the work
 *   was done (a crash between the two loses the effect).
 * - `groupOrder` (checked on every FIFO run, refused on a standard one): within each message group, the first
 *   counted effect of each message comes in send order (record effects with their message:
 *   `kit.effect(key, message)`), and one process never runs two handlers of a group at once.
 */
export type BuiltInInvariant = "settled" | "effectsAtMostOnce" | "nothingInFlight" | "ackedHasEffect" | "groupOrder";

/** Checked in every run. */
export const DEFAULT_INVARIANTS: readonly BuiltInInvariant[] = Object.freeze([
  "settled",
  "effectsAtMostOnce",
  "nothingInFlight",
]);

const BUILT_INS: Record<BuiltInInvariant, (run: SimulationRun) => Violation[]> = {
  settled(run) {
    return run.messages
      .filter((m) => m.final === "inQueue")
      .map((m) => ({
        invariant: "settled",
        description: `message ${m.id} was neither acked nor dead-lettered by the end (${m.deliveries} deliveries)`,
        messages: [m.id],
      }));
  },
  effectsAtMostOnce(run) {
    const byKey = new Map<string, Array<string | undefined>>();
    for (const effect of run.effects) {
      if (!effect.counted) continue;
      const seen = byKey.get(effect.key);
      if (seen) seen.push(effect.message);
      else byKey.set(effect.key, [effect.message]);
    }
    const violations: Violation[] = [];
    for (const [key, messages] of byKey) {
      if (messages.length < 2) continue;
      const named = [...new Set(messages.filter((m): m is string => m !== undefined))];
      violations.push({
        invariant: "effectsAtMostOnce",
        description: `effect "${key}" happened ${messages.length} times${named.length ? ` (message ${named.join(", ")})` : ""}`,
        keys: [key],
        messages: named,
      });
    }
    return violations;
  },
  nothingInFlight(run) {
    if (run.queue.inFlight === 0 && run.consumerInFlight === 0) return [];
    const open = run.messages.filter((m) => m.final === "inQueue").map((m) => m.id);
    return [
      {
        invariant: "nothingInFlight",
        description: `at the end ${run.queue.inFlight} message(s) were in flight in the queue and the consumer ran ${run.consumerInFlight} handler(s)`,
        messages: open.slice(0, 5),
      },
    ];
  },
  ackedHasEffect(run) {
    return run.messages
      .filter((m) => m.final === "acked" && m.effects.length === 0)
      .map((m) => ({
        invariant: "ackedHasEffect",
        description: `message ${m.id} was acked but no effect of it happened (acked before the work was done?)`,
        messages: [m.id],
      }));
  },
  groupOrder: groupOrderViolations,
};

/** Checks the built-ins and `extra`, in that order. */
export function checkInvariants(run: SimulationRun, extra: readonly Invariant[]): Violation[] {
  const names = new Set<BuiltInInvariant>(DEFAULT_INVARIANTS);
  if (run.fifo === true) names.add("groupOrder");
  const violations: Violation[] = [];
  const custom: Array<{ name: string; check: InvariantCheck }> = [];
  for (const invariant of extra) {
    if (typeof invariant === "string") names.add(invariant);
    else if (typeof invariant === "function") custom.push({ name: invariant.name || "invariant", check: invariant });
    else custom.push(invariant);
  }
  for (const name of names) violations.push(...BUILT_INS[name](run));
  for (const { name, check } of custom) violations.push(...asViolations(name, check(run)));
  return violations;
}

/** Validates the `invariants` option; the error names the bad entry. */
export function isInvariant(value: unknown): value is Invariant {
  if (typeof value === "string") return value in BUILT_INS;
  if (typeof value === "function") return true;
  const v = value as { name?: unknown; check?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.name === "string" && typeof v.check === "function";
}

function asViolations(name: string, outcome: ReturnType<InvariantCheck>): Violation[] {
  if (outcome === undefined || outcome === null) return [];
  if (typeof outcome === "string") return [{ invariant: name, description: outcome }];
  const list = Array.isArray(outcome) ? outcome : [outcome as Violation];
  return list.map((v) => ({ ...v, invariant: v.invariant ?? name }));
}
