/** The options of `simulate()`, their defaults (declared once) and their validation. */

import type { Clock } from "../../clock/Clock.js";
import type { ConsumerOptions } from "../../consumer/options.js";
import type { ConsumerMessage, MessageHandler } from "../../consumer/types.js";
import { checkOption, InvalidOptionError } from "../../errors.js";
import type { QueueMessage } from "../../queue/MessageSource.js";
import type { FaultOptions } from "./faults.js";
import { checkQueueKind } from "./fifoOptions.js";
import { type Invariant, isInvariant } from "./invariants.js";

/** One message the simulation sends at the start. */
export interface SimMessage {
  /** The body; sent as JSON, so the handler gets it back decoded. */
  body: unknown;
  /** The simulator's id of the message, in reports and traces. @defaultValue `m-0001`, `m-0002`, ... */
  id?: string;
  /** Message attributes. @defaultValue none */
  attributes?: Record<string, string>;
  /** Send it with this delay (SQS DelaySeconds). Not on a FIFO queue, which has no per-message delay. @defaultValue 0 */
  delayMs?: number;
  /**
   * Its message group (SQS MessageGroupId): required for every message when `queue.fifo` is true, refused
   * otherwise. Messages of one group are delivered in the order of `messages`.
   */
  groupId?: string;
}

/** What the handler of a simulated process gets besides its messages. */
export interface SimulationKit {
  /** The process (consumer incarnation): 1, then 2 after the first crash, ... */
  readonly process: number;
  /** The process's clock: wait on it (`kit.clock.sleep(ms, context.signal)`); its timers die with the process. */
  readonly clock: Clock;
  /** Seeded numbers in [0, 1): use them instead of `Math.random` (also as `makeIdempotent`'s `random`). */
  readonly random: () => number;
  /**
   * Records an effect (a charge, an email) under `key`; pass the message so traces can show it. Effects of a
   * process that already crashed are recorded as not counted.
   */
  effect(key: string, message?: ConsumerMessage<unknown> | QueueMessage): void;
  /** Throws `DependencyUnavailableError` while the fault plan's outage lasts; call it where the handler calls out. */
  dependency(): void;
  /**
   * State outside the process, created once per run and kept across crashes (a database, an idempotency table):
   * `kit.external("store", () => new MemoryIdempotencyStore({ clock: kit.clock }))`.
   */
  external<S>(name: string, create: () => S): S;
  /**
   * State of this process, created on first use and lost in a crash (a circuit breaker, a cache): the handler and
   * a `consumer` function get the same one, e.g. `kit.local("breaker", () => createCircuitBreaker(fn, { clock: kit.clock }))`.
   */
  local<S>(name: string, create: () => S): S;
}

/** The consumer options a simulation takes: all but source, handler and clock. */
export type SimConsumerOptions<T> = Omit<ConsumerOptions<T>, "source" | "handler" | "clock" | "now">;

/** Queue settings of a simulation. */
export interface SimQueueOptions {
  /** @defaultValue 30,000 (the SQS default) */
  visibilityTimeoutMs?: number;
  /** Redrive to the dead-letter queue after this many receives. @defaultValue 10 */
  maxReceiveCount?: number;
  /**
   * A FIFO queue: every message needs a `groupId`, each group is delivered in order, one receive's worth at a
   * time, and the built-in `groupOrder` invariant is checked. The `duplicate` fault is refused (SQS FIFO does not
   * deliver a message twice by itself); the other faults still cause redeliveries.
   * @defaultValue false
   */
  fifo?: boolean;
}

/** Options of `simulate()`. */
export interface SimulateOptions<T = unknown> {
  /** Builds the handler for each process (again after every restart); see {@link SimulationKit}. */
  handler: (kit: SimulationKit) => MessageHandler<T>;
  /** What is in the queue at the start. */
  messages: readonly SimMessage[];
  /**
   * Consumer options (all but source, handler, clock), or a function of the process's kit that returns them (for
   * options built on its clock: `breakers`). Backoff jitter is seeded unless a `random` is given.
   * @defaultValue `{}`
   */
  consumer?: SimConsumerOptions<T> | ((kit: SimulationKit) => SimConsumerOptions<T>);
  queue?: SimQueueOptions;
  /** What goes wrong; every fault off by default. */
  faults?: FaultOptions;
  /** The seed: the same seed and options replay the same run, event for event. An integer from 0 to 2^32 - 1. */
  seed: number;
  /**
   * Virtual time the run may take before it ends unsettled.
   * @defaultValue 3,600,000 (one hour)
   */
  until?: number;
  /**
   * Invariants checked besides the built-ins (`settled`, `effectsAtMostOnce`, `nothingInFlight`, and `groupOrder`
   * on a FIFO queue): built-in names
   * (`"ackedHasEffect"`) or checks.
   * @defaultValue `[]`
   */
  invariants?: readonly Invariant[];
}

/** The defaults of {@link SimulateOptions}, declared once. */
export const SIMULATE_DEFAULTS = Object.freeze({
  until: 3_600_000,
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 10,
  fifo: false,
});

/** Validates the options; the error names the first bad one. */
export function checkSimulateOptions<T>(options: SimulateOptions<T>): void {
  checkOption(typeof options === "object" && options !== null, "options", "an object", options);
  checkOption(typeof options.handler === "function", "handler", "a function (kit) => handler", options.handler);
  checkOption(Array.isArray(options.messages), "messages", "an array of { body }", options.messages);
  const consumer = options.consumer;
  checkOption(
    consumer === undefined || typeof consumer === "function" || (typeof consumer === "object" && consumer !== null),
    "consumer",
    "consumer options, or a function (kit) => options",
    consumer,
  );
  const seed = options.seed;
  checkOption(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff, "seed", "an integer from 0 to 2^32 - 1", seed);
  const until = options.until ?? SIMULATE_DEFAULTS.until;
  checkOption(typeof until === "number" && until > 0 && Number.isFinite(until), "until", "milliseconds > 0", until);
  const queue = options.queue;
  checkOption(queue === undefined || (typeof queue === "object" && queue !== null), "queue", "an object", queue);
  const fifo = queue?.fifo ?? SIMULATE_DEFAULTS.fifo;
  checkOption(typeof fifo === "boolean", "queue.fifo", "a boolean", fifo);
  const ids = new Set<string>();
  options.messages.forEach((message, i) => {
    checkOption(
      typeof message === "object" && message !== null && "body" in message,
      `messages[${i}]`,
      "a { body }",
      message,
    );
    const id = message.id ?? defaultId(i);
    if (ids.has(id)) throw new InvalidOptionError(`messages[${i}].id`, "an id no other message has", id);
    ids.add(id);
  });
  (options.invariants ?? []).forEach((invariant, i) => {
    checkOption(isInvariant(invariant), `invariants[${i}]`, "a built-in invariant name or a check", invariant);
  });
  checkQueueKind(options, fifo);
}

/** `m-0001` for the first message. */
export function defaultId(index: number): string {
  return `m-${String(index + 1).padStart(4, "0")}`;
}
