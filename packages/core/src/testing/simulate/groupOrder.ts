/**
 * FIFO runs: the `groupOrder` invariant and what it needs recorded while the run goes.
 *
 * Order is judged on effects, not acks: an effect is what the user's system did (a ledger entry written), and
 * acks legitimately leave send order on a correct FIFO consumer: when m-0001's delete fails, the consumer has
 * already started m-0002, whose ack lands first, and m-0001 is acked on its redelivery. So per group, the first
 * counted effect of each message must come in send order; messages without a counted effect (dead-lettered
 * before their work, or effects recorded without their message) are skipped.
 *
 * One handler per group at a time is the consumer's rule: within a process, a handler of a group must not start
 * while another of the group runs. A handler whose signal fired counts as ended there: the consumer told it to
 * stop and moves on at once (what it still does after is judged by its effects).
 */
import type { MessageHandler } from "../../consumer/types.js";
import type { SendOptions } from "../../queue/inMemoryQueueOptions.js";
import type { MessageBook } from "./messageBook.js";
import type { SimulationRun, Violation } from "./report.js";
import type { EventTrace } from "./trace.js";

/** Two handlers of one group ran at once in one process. */
export interface GroupOverlap {
  /** Virtual milliseconds since the start, when the second started. */
  readonly at: number;
  readonly process: number;
  readonly group: string;
  /** The message whose handler still ran. */
  readonly running: string;
  /** The message whose handler started. */
  readonly started: string;
}

/** Knows each message's group; wraps each process's handler to trace its starts and note overlaps in a group. */
export class GroupWatch {
  /** Each message's group, by the simulator's message id. */
  readonly groups = new Map<string, string>();
  readonly overlaps: GroupOverlap[] = [];
  readonly #trace: EventTrace;
  readonly #clock: { readonly elapsedMs: number };
  readonly #book: Pick<MessageBook, "nameOf">;
  /** Messages in a handler, by process and group. */
  readonly #running = new Map<string, string[]>();

  /** Writes starts to `trace`, dated by `clock`; names messages with `book`. */
  constructor(trace: EventTrace, clock: { readonly elapsedMs: number }, book: Pick<MessageBook, "nameOf">) {
    this.#trace = trace;
    this.#clock = clock;
    this.#book = book;
  }

  /** Notes that `name` is sent with `options` (its group); returns the options. */
  sent(name: string, options: SendOptions): SendOptions {
    if (options.groupId !== undefined) this.groups.set(name, options.groupId);
    return options;
  }

  /** `handler`, watched; `alive` says whether its process still lives (a dead one's starts are not its). */
  wrap<T>(process: number, alive: () => boolean, handler: MessageHandler<T>): MessageHandler<T> {
    return async (message, context) => {
      if (!alive()) return handler(message, context);
      const name = this.#book.nameOf(message) ?? message.id;
      const group = message.groupId ?? "";
      const slot = `${process} ${group}`;
      const running = this.#running.get(slot) ?? [];
      this.#trace.add("started", { process, message: name });
      const [first] = running;
      if (first !== undefined)
        this.overlaps.push(Object.freeze({ at: this.#clock.elapsedMs, process, group, running: first, started: name }));
      running.push(name);
      this.#running.set(slot, running);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        running.splice(running.indexOf(name), 1);
        if (running.length === 0) this.#running.delete(slot);
      };
      context.signal.addEventListener("abort", end, { once: true });
      try {
        await handler(message, context);
      } finally {
        context.signal.removeEventListener("abort", end);
        end();
      }
    };
  }
}

/** The `groupOrder` check: one violation per group whose effects left send order, one per overlap. */
export function groupOrderViolations(run: SimulationRun): Violation[] {
  const firstEffect = new Map<string, number>();
  run.effects.forEach((effect, index) => {
    if (effect.counted && effect.message !== undefined && !firstEffect.has(effect.message))
      firstEffect.set(effect.message, index);
  });
  const sent = new Map<string, string[]>();
  for (const message of run.messages) {
    if (message.groupId === undefined || !firstEffect.has(message.id)) continue;
    const group = sent.get(message.groupId);
    if (group) group.push(message.id);
    else sent.set(message.groupId, [message.id]);
  }
  const violations: Violation[] = [];
  for (const [group, ids] of sent) {
    const applied = [...ids].sort((a, b) => (firstEffect.get(a) ?? 0) - (firstEffect.get(b) ?? 0));
    const at = ids.findIndex((id, i) => applied[i] !== id);
    if (at === -1) continue;
    const expected = ids[at] as string;
    const got = applied[at] as string;
    violations.push({
      invariant: "groupOrder",
      description: `group "${group}": expected the first effect of ${expected} next (sent before ${got}), got ${got}'s`,
      messages: [expected, got],
    });
  }
  for (const overlap of run.groupOverlaps ?? []) {
    violations.push({
      invariant: "groupOrder",
      description: `group "${overlap.group}": ${overlap.started}'s handler started in process ${overlap.process} while ${overlap.running}'s still ran`,
      messages: [overlap.running, overlap.started],
    });
  }
  return violations;
}
