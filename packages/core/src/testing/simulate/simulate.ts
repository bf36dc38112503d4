/**
 * `simulate()`: runs the real consumer (`createConsumer`) over a real `InMemoryQueue`, both on one
 * `VirtualClock`, with a seeded fault plan; returns what happened and which invariants broke.
 *
 * Processes: each consumer incarnation has its own `ScopedClock` and `SimSource`. A crash kills both (its timers
 * never fire, its calls never return, its pending acks are never sent) and starts a new consumer after
 * `restartAfterMs`; the queue, on the steady clock, keeps the lost messages until their visibility expires.
 *
 * Determinism: nothing reads the real clock or real randomness. Faults, the handler's `kit.random` and the
 * consumer's backoff jitter draw from separate seeded streams, message names replace queue ids in the log, and
 * the virtual clock fires timers in (due time, insertion order), settling promise chains between firings.
 */

import { createConsumer } from "../../consumer/createConsumer.js";
import type { Consumer } from "../../consumer/types.js";
import { silentLogger } from "../../logger.js";
import { InMemoryQueue } from "../../queue/InMemoryQueue.js";
import type { BackoffOptions } from "../../resilience/backoff.js";
import { VirtualClock } from "../VirtualClock.js";
import { type FaultPlan, resolveFaultPlan } from "./faults.js";
import { fifoSendOptions } from "./fifoOptions.js";
import { GroupWatch } from "./groupOrder.js";
import { checkInvariants } from "./invariants.js";
import { createKit } from "./kit.js";
import { MessageBook, SIM_MESSAGE_ATTRIBUTE } from "./messageBook.js";
import { type SeededRandom, seededRandom } from "./random.js";
import { type EffectRecord, messageReports, type SimulationResult, type SimulationRun, toResult } from "./report.js";
import { ScopedClock } from "./scopedClock.js";
import { type CrashPoint, SimSource } from "./simSource.js";
import {
  checkSimulateOptions,
  defaultId,
  SIMULATE_DEFAULTS,
  type SimulateOptions,
  type SimulationKit,
} from "./simulateOptions.js";
import { EventTrace } from "./trace.js";

/** Seeded streams of one run: faults, the handler's `kit.random`, the consumer's backoff jitter. */
const STREAM = { faults: 0, kit: 1, jitter: 2 } as const;

/**
 * Runs a handler under the real consumer over a simulated SQS queue with a seeded fault plan, in virtual time.
 * Same seed and options, same event log, byte for byte. Check `result.ok`, or call `result.assertOk()` to throw
 * the report (the seed and a minimal trace).
 *
 * @example
 * ```ts
 * const result = await simulate({
 *   seed: 42,
 *   messages: orders.map((order) => ({ body: order })),
 *   faults: { duplicate: 0.1, crash: { probability: 0.05 } },
 *   handler: (kit) => async (message, context) => {
 *     await kit.clock.sleep(3_000, context.signal);
 *     kit.effect(`charge:${message.body.id}`, message);
 *   },
 * });
 * result.assertOk();
 * ```
 */
export async function simulate<T = unknown>(options: SimulateOptions<T>): Promise<SimulationResult> {
  checkSimulateOptions(options);
  return new Simulation(options).run();
}

interface Process {
  readonly number: number;
  readonly clock: ScopedClock;
  readonly source: SimSource;
  readonly consumer: Consumer;
  alive: boolean;
}

class Simulation<T> {
  readonly #options: SimulateOptions<T>;
  readonly #until: number;
  readonly #clock = new VirtualClock();
  readonly #steady = this.#clock.steady();
  readonly #queue: InMemoryQueue;
  readonly #trace = new EventTrace(() => this.#clock.elapsedMs);
  readonly #book = new MessageBook();
  readonly #faults: SeededRandom;
  readonly #kitRandom: SeededRandom;
  readonly #jitter: SeededRandom;
  readonly #plan: FaultPlan;
  readonly #external = new Map<string, unknown>();
  readonly #effects: EffectRecord[] = [];
  /** FIFO runs: each message's group, and each process's handlers per group. */
  readonly #groupWatch: GroupWatch | undefined;
  #process: Process | undefined;
  #processes = 0;
  #crashes = 0;
  #crashPending = false;
  #outage = false;

  constructor(options: SimulateOptions<T>) {
    this.#options = options;
    this.#until = options.until ?? SIMULATE_DEFAULTS.until;
    const { seed } = options;
    this.#faults = seededRandom(seed, STREAM.faults);
    this.#kitRandom = seededRandom(seed, STREAM.kit);
    this.#jitter = seededRandom(seed, STREAM.jitter);
    this.#plan = resolveFaultPlan(options.faults ?? {}, this.#faults);
    this.#queue = new InMemoryQueue({
      name: "simulated",
      clock: this.#steady,
      visibilityTimeoutMs: options.queue?.visibilityTimeoutMs ?? SIMULATE_DEFAULTS.visibilityTimeoutMs,
      maxReceiveCount: options.queue?.maxReceiveCount ?? SIMULATE_DEFAULTS.maxReceiveCount,
      fifo: options.queue?.fifo ?? SIMULATE_DEFAULTS.fifo,
    });
    this.#groupWatch = this.#queue.fifo ? new GroupWatch(this.#trace, this.#clock, this.#book) : undefined;
  }

  async run(): Promise<SimulationResult> {
    this.#sendMessages();
    this.#scheduleTimedFaults();
    this.#start();
    const settled = await this.#clock.runUntil(() => this.#book.allEnded, { withinMs: this.#until });
    // Settled: the consumer stops gracefully and the process's leftover work (an effect still on its way after
    // the ack) gets a visibility timeout to finish. Not settled: the process is judged where it stands.
    if (settled) {
      await this.#clock.advance(0); // a crash due now (right after the last ack) still happens
      await this.#stop();
    }
    const run = this.#snapshot(settled);
    const violations = checkInvariants(run, this.#options.invariants ?? []);
    this.#kill();
    return toResult(run, violations);
  }

  #sendMessages(): void {
    this.#options.messages.forEach((message, i) => {
      const name = message.id ?? defaultId(i);
      const { id } = this.#queue.send(JSON.stringify(message.body), {
        attributes: { ...message.attributes, [SIM_MESSAGE_ATTRIBUTE]: name },
        delayMs: message.delayMs,
        ...(this.#groupWatch?.sent(name, fifoSendOptions(message, i)) ?? {}),
      });
      this.#book.add(name, id);
      this.#trace.add("sent", { message: name });
    });
  }

  #scheduleTimedFaults(): void {
    const plan = this.#plan;
    for (const at of plan.crashAtMs) this.#steady.setTimeout(() => this.#crash("at a planned time"), at);
    if (plan.outage) {
      const { startMs, endMs } = plan.outage;
      this.#steady.setTimeout(() => {
        this.#outage = true;
        this.#trace.add("outageStarted", { detail: `until +${endMs} ms` });
      }, startMs);
      this.#steady.setTimeout(() => {
        this.#outage = false;
        this.#trace.add("outageEnded");
      }, endMs);
    }
    for (const { atMs, byMs } of plan.clockJumps) {
      this.#steady.setTimeout(() => {
        this.#clock.jump(byMs);
        this.#trace.add("clockJumped", { detail: `${byMs > 0 ? "+" : ""}${byMs} ms` });
      }, atMs);
    }
  }

  /** Starts a consumer process (the first, or a new one after a crash). */
  #start(): void {
    const number = ++this.#processes;
    const clock = new ScopedClock(this.#clock);
    const source = new SimSource({
      queue: this.#queue,
      process: number,
      plan: this.#plan,
      random: this.#faults,
      queueClock: this.#steady,
      trace: this.#trace,
      book: this.#book,
      crashPoint: (point) => this.#crashPoint(point),
    });
    const kit = this.#kit(number, clock);
    const own = this.#options.handler(kit);
    const handler = this.#groupWatch?.wrap(number, () => clock.alive, own) ?? own;
    const consumerOptions = this.#options.consumer ?? {};
    const user = typeof consumerOptions === "function" ? consumerOptions(kit) : consumerOptions;
    const consumer = createConsumer<T>({
      logger: silentLogger,
      ...user,
      backoff: this.#seeded(user.backoff),
      receiveBackoff: this.#seeded(user.receiveBackoff),
      dependencyBackoff: this.#seeded(user.dependencyBackoff),
      source,
      handler,
      clock,
    });
    const process: Process = { number, clock, source, consumer, alive: true };
    this.#watch(process);
    this.#process = process;
    if (number > 1) this.#trace.add("restarted", { process: number });
    consumer.start();
  }

  #seeded(backoff: BackoffOptions | undefined): BackoffOptions {
    return { ...backoff, random: backoff?.random ?? this.#jitter } as BackoffOptions;
  }

  #kit(number: number, clock: ScopedClock): SimulationKit {
    return createKit({
      process: number,
      clock,
      random: this.#kitRandom,
      external: this.#external,
      local: new Map(),
      outage: () => this.#outage,
      effect: (key, name) => {
        const counted = clock.alive;
        this.#effects.push(Object.freeze({ at: this.#clock.elapsedMs, key, message: name, process: number, counted }));
        this.#trace.add("effect", { process: number, message: name, key, counted });
        if (counted) this.#crashPoint("effect");
      },
      nameOf: (message) => this.#book.nameOf(message),
    });
  }

  /** Writes the consumer's handler outcomes to the trace while the process lives. */
  #watch(process: Process): void {
    const { consumer, number } = process;
    const name = (message: { attributes: Readonly<Record<string, string>> }) => this.#book.nameOf(message);
    consumer.on("succeeded", ({ message }) => {
      if (!process.alive) return;
      this.#trace.add("succeeded", { process: number, message: name(message) });
      this.#crashPoint("succeeded");
    });
    consumer.on("failed", ({ message, action, error }) => {
      if (process.alive)
        this.#trace.add("failed", { process: number, message: name(message), detail: `${action} ${errorName(error)}` });
    });
    consumer.on("retried", ({ message, delayMs }) => {
      if (process.alive)
        this.#trace.add("retried", { process: number, message: name(message), detail: `in ${Math.round(delayMs)} ms` });
    });
    consumer.on("stateChanged", ({ from, to, reason }) => {
      if (!process.alive) return;
      if (to === "paused") this.#trace.add("paused", { process: number, detail: reason });
      else if (from === "paused" && to === "running") this.#trace.add("resumed", { process: number });
    });
    consumer.on("handedBack", ({ message, reason }) => {
      if (process.alive) this.#trace.add("handedBack", { process: number, message: name(message), detail: reason });
    });
  }

  #crashPoint(point: CrashPoint): void {
    const plan = this.#plan;
    if (this.#crashPending || this.#crashes >= plan.maxCrashes || !this.#faults.chance(plan.crashProbability)) return;
    // After the chain that reached the point settles, before any later timer: e.g. after an effect, before the
    // batched ack is flushed.
    this.#crashPending = true;
    this.#steady.setTimeout(() => this.#crash(`after ${point}`), 0);
  }

  #crash(why: string): void {
    this.#crashPending = false;
    const process = this.#process;
    if (process === undefined || !process.alive || this.#crashes >= this.#plan.maxCrashes) return;
    this.#crashes++;
    process.alive = false;
    process.clock.kill();
    process.source.kill();
    this.#trace.add("crashed", { process: process.number, detail: why });
    this.#process = undefined;
    this.#steady.setTimeout(() => this.#start(), this.#plan.restartAfterMs);
  }

  #snapshot(settled: boolean): SimulationRun {
    const stats = this.#queue.stats();
    const consumerInFlight = this.#process?.consumer.stats().inFlight ?? 0;
    const events = this.#trace.events;
    const open = new Set(this.#book.openNames());
    return {
      seed: this.#options.seed,
      settled,
      elapsedMs: this.#clock.elapsedMs,
      processes: this.#processes,
      messages: messageReports(this.#book.names(), events, this.#effects, open, this.#groupWatch?.groups),
      effects: [...this.#effects],
      events,
      queue: { visible: stats.visible, inFlight: stats.inFlight, delayed: stats.delayed },
      consumerInFlight,
      ...(this.#groupWatch && { fifo: true, groupOverlaps: [...this.#groupWatch.overlaps] }),
    };
  }

  async #stop(): Promise<void> {
    const process = this.#process;
    if (process === undefined) return;
    let stopped = false;
    process.consumer.stop().then(() => (stopped = true));
    const graceMs = this.#queue.visibilityTimeoutMs;
    await this.#clock.runUntil(() => stopped, { withinMs: graceMs });
    await this.#clock.runUntil(() => process.clock.pendingTimers === 0, { withinMs: graceMs });
    this.#trace.add("stopped", { process: process.number });
  }

  /** Ends the live process where it stands, so nothing of this run fires later. */
  #kill(): void {
    const process = this.#process;
    if (process === undefined) return;
    process.alive = false;
    process.clock.kill();
    process.source.kill();
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
