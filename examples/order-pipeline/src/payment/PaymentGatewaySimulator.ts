import { randomUUID } from "node:crypto";
import {
  AbortedError,
  type Clock,
  InvalidOptionError,
  PermanentError,
  systemClock,
  TransientError,
} from "@resilient-jobs/core";

/** One charge request, as a payment provider's API takes it. */
export interface ChargeRequest {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  /**
   * The provider deduplicates on it (as Stripe's `Idempotency-Key` does): a retry of a request whose
   * response was lost returns the first charge instead of charging again. The order id.
   */
  readonly idempotencyKey: string;
}

/** A successful charge. */
export interface Charge {
  readonly chargeId: string;
  readonly orderId: string;
  readonly amountCents: number;
}

/** The card was declined: a business outcome, never retried. */
export class PaymentDeclinedError extends PermanentError {
  readonly orderId: string;

  constructor(orderId: string) {
    super(`Payment for order ${orderId} was declined by the gateway`);
    this.orderId = orderId;
  }
}

/** The gateway is down (an outage): transient, retried later; sustained, it opens the circuit breaker. */
export class GatewayUnavailableError extends TransientError {
  constructor() {
    super("The payment gateway is unavailable (503); retry later");
  }
}

/** Options of {@link PaymentGatewaySimulator}. Durations are real milliseconds (already time-scaled). */
export interface PaymentGatewayOptions {
  /**
   * How long one charge holds a slot.
   * @defaultValue 3000 (the study's payment)
   */
  latencyMs?: number;
  /**
   * Charges processed at once by the provider, shared by every caller; the others wait for a slot.
   * @defaultValue 5 (the study's shared processor)
   */
  slots?: number | "unlimited";
  /**
   * Share of charges declined, 0 to 1.
   * @defaultValue 0
   */
  failureRate?: number;
  /**
   * Deduplicate on `idempotencyKey`. Turn off in tests to show what the worker's own idempotency prevents.
   * @defaultValue true
   */
  honorIdempotencyKeys?: boolean;
  /** Random numbers in [0, 1) for declines. @defaultValue `Math.random` */
  random?: () => number;
  /** What a charge's latency waits on (a `VirtualClock` in the simulator). @defaultValue `systemClock` */
  clock?: Clock;
}

interface Waiter {
  readonly start: () => void;
}

/**
 * A payment provider with the study's shape: every charge takes `latencyMs` and holds one of a few shared
 * `slots`, so throughput is capped at `slots / latency` however many workers call it. Like a real provider,
 * a charge that has started completes even if the caller stops waiting (timeout, shutdown): money can move
 * without the caller knowing, which is why callers pass an idempotency key. It counts charges per order so
 * tests and the summary can prove no order is charged twice.
 */
export class PaymentGatewaySimulator {
  readonly #latencyMs: number;
  #slots: number;
  readonly #failureRate: number;
  readonly #honorKeys: boolean;
  readonly #random: () => number;
  readonly #clock: Clock;
  readonly #chargeListeners = new Set<(total: number) => void>();
  readonly #waiters: Waiter[] = [];
  readonly #byKey = new Map<string, Promise<Charge>>();
  readonly #charges = new Map<string, number>();
  readonly #calls = new Map<string, number>();
  #totalCharges = 0;
  #busy = 0;
  #outage = false;

  constructor(options: PaymentGatewayOptions = {}) {
    const latencyMs = options.latencyMs ?? 3_000;
    if (!(typeof latencyMs === "number" && latencyMs >= 0)) {
      throw new InvalidOptionError("latencyMs", "a number of milliseconds >= 0", latencyMs);
    }
    const slots = options.slots ?? 5;
    checkSlots("slots", slots);
    const failureRate = options.failureRate ?? 0;
    if (!(typeof failureRate === "number" && failureRate >= 0 && failureRate <= 1)) {
      throw new InvalidOptionError("failureRate", "a number from 0 to 1", failureRate);
    }
    this.#latencyMs = latencyMs;
    this.#slots = slots === "unlimited" ? Number.POSITIVE_INFINITY : slots;
    this.#failureRate = failureRate;
    this.#honorKeys = options.honorIdempotencyKeys ?? true;
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Charges the order. Rejects with `PaymentDeclinedError`, `GatewayUnavailableError` during an outage, or
   * `AbortedError` when `signal` aborts first (the charge may still complete, as on a real provider).
   */
  charge(request: ChargeRequest, signal?: AbortSignal): Promise<Charge> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    this.#calls.set(request.orderId, (this.#calls.get(request.orderId) ?? 0) + 1);
    if (this.#outage) return Promise.reject(new GatewayUnavailableError());
    let charge = this.#honorKeys ? this.#byKey.get(request.idempotencyKey) : undefined;
    if (charge === undefined) {
      charge = this.#process(request, signal);
      if (this.#honorKeys) {
        this.#byKey.set(request.idempotencyKey, charge);
        // A request that never reached a slot charged nothing: its key may be used again.
        charge.catch((error: unknown) => {
          if (error instanceof AbortedError) this.#byKey.delete(request.idempotencyKey);
        });
      }
    }
    return signal === undefined ? charge : untilAborted(charge, signal);
  }

  /** Starts or ends an outage: while on, every call fails at once with `GatewayUnavailableError`. */
  setOutage(on: boolean): void {
    this.#outage = on;
  }

  /**
   * Changes the provider's capacity at run time (the flow-control bench drops 20 slots to 5 and back). More
   * slots start waiting charges at once; fewer never cut a running charge short: the extra ones finish, and
   * no new charge starts until fewer than `slots` run.
   */
  setSlots(slots: number | "unlimited"): void {
    checkSlots("slots", slots);
    this.#slots = slots === "unlimited" ? Number.POSITIVE_INFINITY : slots;
    while (this.#busy < this.#slots && this.#waiters.length > 0) {
      this.#busy += 1;
      this.#waiters.shift()!.start();
    }
  }

  /** Charges that moved money for `orderId` (more than 1 is a double charge). */
  chargesFor(orderId: string): number {
    return this.#charges.get(orderId) ?? 0;
  }

  /** Calls made for `orderId`, deduplicated or not. */
  callsFor(orderId: string): number {
    return this.#calls.get(orderId) ?? 0;
  }

  /**
   * Calls `listener` with the new total each time a charge moves money; returns the unsubscribe. The experiment
   * times completions this way instead of polling, which on a virtual clock would cost a timer per millisecond.
   */
  onCharge(listener: (total: number) => void): () => void {
    this.#chargeListeners.add(listener);
    return () => this.#chargeListeners.delete(listener);
  }

  /** Charges that moved money, over all orders. */
  totalCharges(): number {
    return this.#totalCharges;
  }

  /** Orders charged more than once. */
  ordersChargedTwice(): number {
    let count = 0;
    for (const charges of this.#charges.values()) if (charges > 1) count += 1;
    return count;
  }

  /** Charges holding a slot right now. */
  inFlight(): number {
    return this.#busy;
  }

  /** Charges waiting for a slot. */
  waiting(): number {
    return this.#waiters.length;
  }

  async #process(request: ChargeRequest, signal: AbortSignal | undefined): Promise<Charge> {
    await this.#acquireSlot(signal);
    // From here the provider has the request: it completes whatever the caller does.
    try {
      if (this.#latencyMs > 0) await this.#clock.sleep(this.#latencyMs);
      if (this.#random() < this.#failureRate) throw new PaymentDeclinedError(request.orderId);
      this.#charges.set(request.orderId, (this.#charges.get(request.orderId) ?? 0) + 1);
      this.#totalCharges += 1;
      for (const listener of this.#chargeListeners) listener(this.#totalCharges);
      return { chargeId: `ch_${randomUUID()}`, orderId: request.orderId, amountCents: request.amountCents };
    } finally {
      this.#releaseSlot();
    }
  }

  #acquireSlot(signal: AbortSignal | undefined): Promise<void> {
    if (this.#busy < this.#slots) {
      this.#busy += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new AbortedError(signal?.reason));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #releaseSlot(): void {
    // The slot passes straight to the next waiter (#busy stays the same), unless setSlots took it away.
    const next = this.#busy <= this.#slots ? this.#waiters.shift() : undefined;
    if (next) next.start();
    else this.#busy -= 1;
  }
}

function checkSlots(option: string, slots: unknown): asserts slots is number | "unlimited" {
  if (slots !== "unlimited" && !(typeof slots === "number" && Number.isInteger(slots) && slots >= 1)) {
    throw new InvalidOptionError(option, 'an integer >= 1 or "unlimited"', slots);
  }
}

/** Settles as `promise` does, or rejects with AbortedError as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
