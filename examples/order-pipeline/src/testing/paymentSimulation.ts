/**
 * The example's payment worker under core's simulator (`simulate()` from `@resilient-jobs/core/testing`): its
 * real handler (`createPaymentHandler`), payment service (`makeIdempotent`, breaker, call timeout) and memory
 * stores, fed order events and poison messages through the real consumer over a simulated SQS queue, with a
 * seeded fault plan, in virtual time. The simulated and chaos tests share it. Not part of the app.
 *
 * What lives outside the worker's process, and so survives its crashes: the payment provider, the order table
 * and the idempotency table. With `providerDeduplicates: false` the provider ignores the idempotency key the
 * worker sends, so every duplicate charge the worker lets through is money taken twice: the worker's own
 * idempotency is then all that stands between a redelivery and a second charge.
 */
import {
  type Clock,
  type ConsumerMessage,
  type HandlerContext,
  type IdempotencyStore,
  MemoryIdempotencyStore,
  silentLogger,
  sleepOn,
  type TimerHandle,
} from "@resilient-jobs/core";
import { type FaultOptions, type SimulationKit, type SimulationResult, simulate } from "@resilient-jobs/core/testing";
import { EXPECTED_POISON_CODE, POISON_KINDS, type PoisonKind, poisonMessage } from "../../chaos/poison.js";
import { newPendingOrder } from "../api/orderService.js";
import { queueVisibilitySeconds } from "../backends/queueSettings.js";
import { pipelineConfig } from "../config.js";
import { MemoryOrderStore } from "../orders/MemoryOrderStore.js";
import type { OrderPlaced } from "../orders/orderSchema.js";
import { PaymentGatewaySimulator } from "../payment/PaymentGatewaySimulator.js";
import { createPaymentService, type PaymentGateway, type PaymentService } from "../payment/paymentService.js";
import { createTimeScale } from "../timeScale.js";
import { createPaymentHandler } from "../workers/handlers.js";
import { decodeOrderPlaced } from "../workers/startWorkers.js";
import { orderRequest } from "./fixtures.js";

/** Options of {@link simulatePayments}. */
export interface PaymentSimulationOptions {
  readonly seed: number;
  /** What goes wrong (see core's `FaultOptions`). */
  readonly faults: FaultOptions;
  /** Valid orders in the queue at the start. @defaultValue 4 */
  readonly orders?: number;
  /** Poison messages among them, of these kinds (JSON ones: the simulator sends JSON bodies). @defaultValue none */
  readonly poison?: readonly PoisonKind[];
  /** Wrap the charge in `makeIdempotent` (the example's payment service as shipped). @defaultValue true */
  readonly idempotent?: boolean;
  /** Payment handlers at once. @defaultValue 3 */
  readonly concurrency?: number;
  /**
   * The provider deduplicates on the order id the worker passes as idempotency key, as the shipped pipeline's
   * does (the last line of defence, for a charge whose result could not be stored).
   * @defaultValue true
   */
  readonly providerDeduplicates?: boolean;
}

/** One run: the simulator's result and the example's own invariants, checked against the outside world. */
export interface PaymentSimulation {
  readonly result: SimulationResult;
  /** Valid orders the provider never charged or whose PAID the order table never got. */
  readonly lost: readonly string[];
  /** Valid orders the provider charged more than once. */
  readonly chargedTwice: readonly string[];
  /** Poison messages not dead-lettered with their decoder's code (`id: got code`). */
  readonly poisonNotParked: readonly string[];
}

/** The study's payment and queue settings, at real scale: the virtual clock makes time free. */
const timeScale = createTimeScale(1);
const PAYMENT_MS = pipelineConfig.payment.latencyMs;

/** Runs one seed. */
export async function simulatePayments(options: PaymentSimulationOptions): Promise<PaymentSimulation> {
  const orderCount = options.orders ?? 4;
  const poison = options.poison ?? [];
  const events = Array.from({ length: orderCount }, (_, i) => orderEvent(i));
  const world = await outsideWorld(events, options.providerDeduplicates ?? true);
  const idempotent = options.idempotent ?? true;
  const messages = [
    ...events.map((event, i) => ({ id: `order-${i + 1}`, body: event })),
    ...poison.map((kind) => ({
      id: `poison-${kind}`,
      body: JSON.parse(poisonMessage(POISON_KINDS.indexOf(kind)).body),
    })),
  ];
  const result = await simulate<OrderPlaced>({
    seed: options.seed,
    messages,
    faults: options.faults,
    queue: {
      visibilityTimeoutMs: queueVisibilitySeconds("payment", "ecs") * 1000,
      maxReceiveCount: pipelineConfig.maxReceiveCount,
    },
    // As the pipeline's payment consumer (startWorkers.ts): breaker-aware, so an open gateway circuit pauses it.
    consumer: (kit) => ({
      name: "payment",
      decode: decodeOrderPlaced,
      concurrency: options.concurrency ?? 3,
      backoff: { strategy: "full", baseMs: timeScale.ms(1_000), capMs: timeScale.ms(900_000) },
      drainTimeoutMs: timeScale.ms(pipelineConfig.drainTimeoutMs),
      breakers: [paymentsOf(kit, world, idempotent).breaker],
      logger: silentLogger,
    }),
    handler: (kit) => paymentWorker(kit, world, idempotent),
  });
  const lost: string[] = [];
  const chargedTwice: string[] = [];
  for (const event of events) {
    const charges = world.gateway.chargesFor(event.orderId);
    const order = await world.orders.get(event.orderId);
    if (charges === 0 || order?.payment?.status !== "PAID") lost.push(event.orderId);
    if (charges > 1) chargedTwice.push(event.orderId);
  }
  return { result, lost, chargedTwice, poisonNotParked: poisonNotParked(result, poison) };
}

/** The tables and the provider: created before the run, shared by every process of it. */
interface OutsideWorld {
  readonly gateway: PaymentGatewaySimulator;
  readonly orders: MemoryOrderStore;
  readonly idempotency: MemoryIdempotencyStore;
  /** Points at the live process's clock (see {@link liveClock}). */
  readonly clock: LiveClock;
  /** Charges that moved money (a deduplicated call returns one of these again). */
  readonly chargeIds: Set<string>;
}

async function outsideWorld(events: readonly OrderPlaced[], deduplicates: boolean): Promise<OutsideWorld> {
  const clock = liveClock();
  const orders = new MemoryOrderStore();
  for (const event of events) await orders.create(newPendingOrder(event.orderId, event.order, event.placedAt));
  return {
    clock,
    orders,
    chargeIds: new Set(),
    idempotency: new MemoryIdempotencyStore({ clock }),
    gateway: new PaymentGatewaySimulator({
      clock,
      latencyMs: PAYMENT_MS,
      slots: pipelineConfig.payment.slots,
      honorIdempotencyKeys: deduplicates,
    }),
  };
}

/** One process of the payment worker: the example's handler over the shared world, on the process's clock. */
function paymentWorker(kit: SimulationKit, world: OutsideWorld, idempotent: boolean) {
  const payments = paymentsOf(kit, world, idempotent);
  const handling = kit.local("handling", () => new Map<string, ConsumerMessage<OrderPlaced>>());
  const handler = createPaymentHandler({ orders: world.orders, payments, timeScale, clock: kit.clock });
  return (message: ConsumerMessage<OrderPlaced>, context: HandlerContext) => {
    handling.set(message.body.orderId, message);
    return handler(message, context);
  };
}

/** The process's payment service (one per process, shared by its consumer's options and its handler). */
function paymentsOf(kit: SimulationKit, world: OutsideWorld, idempotent: boolean): PaymentService {
  return kit.local("payments", () => {
    world.clock.follow(kit.clock);
    // The message each order's charge is made for, so the trace files the charge under it.
    const handling = kit.local("handling", () => new Map<string, ConsumerMessage<OrderPlaced>>());
    return createPaymentService({
      gateway: chargeRecorder(world, kit, handling),
      idempotency: duringOutage(world.idempotency, kit),
      timeScale,
      clock: kit.clock,
      random: kit.random,
      idempotent,
    });
  });
}

/** Records each charge that moved money as the process's effect `charge:<orderId>` (money moved: at most once). */
function chargeRecorder(
  world: OutsideWorld,
  kit: SimulationKit,
  handling: ReadonlyMap<string, ConsumerMessage<OrderPlaced>>,
): PaymentGateway {
  return {
    async charge(request, signal) {
      const charge = await world.gateway.charge(request, signal);
      if (world.chargeIds.has(charge.chargeId)) return charge;
      world.chargeIds.add(charge.chargeId);
      kit.effect(`charge:${request.orderId}`, handling.get(request.orderId));
      return charge;
    },
  };
}

/** The idempotency table is the dependency that goes down in the fault plan's outage (DynamoDB unavailable). */
function duringOutage(store: IdempotencyStore, kit: SimulationKit): IdempotencyStore {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        kit.dependency();
        return value.apply(target, args);
      };
    },
  });
}

function poisonNotParked(result: SimulationResult, kinds: readonly PoisonKind[]): string[] {
  const missing: string[] = [];
  for (const kind of kinds) {
    const id = `poison-${kind}`;
    const parked = result.events.find((event) => event.type === "deadLettered" && event.message === id);
    if (parked?.detail !== EXPECTED_POISON_CODE[kind]) missing.push(`${id}: ${parked?.detail ?? "not dead-lettered"}`);
  }
  return missing;
}

/** Order `i`: a fixed id and time, so the same seed replays the same run. */
function orderEvent(i: number): OrderPlaced {
  const orderId = `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;
  const placedAt = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const request = orderRequest({ customerId: `customer-${i + 1}` });
  const order = newPendingOrder(orderId, request, placedAt);
  return { type: "order.placed", orderId, placedAt, totalCents: order.totalCents, order: request };
}

/** A clock that forwards to the live process's clock; see {@link liveClock}. */
interface LiveClock extends Clock {
  follow(clock: Clock): void;
}

interface WorldTimer {
  readonly fn: () => void;
  readonly due: number;
  clock: Clock;
  inner: TimerHandle;
}

/**
 * The outside world's clock. A process's clock dies with it (its timers never fire), but the world outlives
 * processes: a charge the provider had started completes even when its caller crashed. So the world's timers run
 * on the live process's clock, and a restart re-arms the ones a crash killed (one whose time came while no process
 * ran fires at the restart: the world is only observed through a process).
 */
function liveClock(): LiveClock {
  let live: Clock | undefined;
  const timers = new Set<WorldTimer>();
  const current = () => {
    if (live === undefined) throw new Error("paymentSimulation: the world's clock was read before any process started");
    return live;
  };
  const arm = (timer: WorldTimer, on: Clock) => {
    timer.clock = on;
    timer.inner = on.setTimeout(
      () => {
        timers.delete(timer);
        timer.fn();
      },
      Math.max(0, timer.due - on.now()),
    );
  };
  const clock: LiveClock = {
    follow(next) {
      live = next;
      for (const timer of timers) arm(timer, next);
    },
    now: () => current().now(),
    setTimeout(fn, ms) {
      const on = current();
      const timer: WorldTimer = { fn, due: on.now() + Math.max(0, ms), clock: on, inner: {} };
      timers.add(timer);
      arm(timer, on);
      return timer as unknown as TimerHandle;
    },
    clearTimeout(handle) {
      const timer = handle as unknown as WorldTimer | undefined;
      if (timer === undefined || !timers.delete(timer)) return;
      timer.clock.clearTimeout(timer.inner);
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
  };
  return clock;
}
