/**
 * The queueing-theory estimates the experiment's measurements are compared with. Every figure is in study
 * units (milliseconds and seconds of the unscaled study, orders per study second), so the estimates do not
 * depend on the time scale the run used.
 */

/** A closed-loop load against the synchronous endpoint: each user waits for its answer, thinks, sends again. */
export interface SyncLoad {
  /** Concurrent customers. */
  readonly users: number;
  /** How long one payment holds a slot. */
  readonly paymentMs: number;
  /** Concurrent payment slots behind the endpoint (`Infinity` for unlimited). */
  readonly slots: number;
  /** A customer's mean pause between an answer and the next order. */
  readonly thinkMeanMs: number;
  /** How long a customer waits before giving up. */
  readonly timeoutMs: number;
  /** Work after the payment, outside the slots (the sync path also reserves stock before answering). */
  readonly afterPaymentMs?: number;
}

/** What queueing theory expects of a {@link SyncLoad}. */
export interface SyncEstimate {
  /** Payments completed per second: the slots' capacity, or less when too few users keep them busy. */
  readonly throughputPerSecond: number;
  /**
   * A customer's wait by Little's law for a closed system, N = X (R + Z): R = N / X - Z, never below one
   * payment (plus the work after it). Above `timeoutMs` the customers give up before it is reached.
   */
  readonly latencyMs: number;
  /**
   * The smallest share of requests that must time out: with every slot busy serving customers who are
   * still waiting (each success takes at most the timeout), at most `X (T + Z)` of the N users can be
   * succeeding, so at least `1 - X (T + Z) / N` of the cycles end in a timeout. 0 when Little's latency
   * fits in the timeout.
   */
  readonly minTimeoutShare: number;
}

/** Little's-law estimate of a closed-loop load against a synchronous endpoint with `slots` payment slots. */
export function estimateSync(load: SyncLoad): SyncEstimate {
  const { users, paymentMs, slots, thinkMeanMs, timeoutMs } = load;
  const serviceMs = paymentMs + (load.afterPaymentMs ?? 0);
  const capacityPerMs = slots / paymentMs;
  // A closed loop cannot send faster than its users can cycle, however many slots there are.
  const throughputPerMs = Math.min(capacityPerMs, users / (serviceMs + thinkMeanMs));
  const latencyMs = Math.max(serviceMs, users / throughputPerMs - thinkMeanMs);
  const minTimeoutShare =
    latencyMs <= timeoutMs ? 0 : Math.max(0, 1 - (throughputPerMs * (timeoutMs + thinkMeanMs)) / users);
  return { throughputPerSecond: throughputPerMs * 1000, latencyMs, minTimeoutShare };
}

/**
 * Little's law for a closed loop of `users` whose answers take `latencyMs` on average: the request rate
 * per second it can offer, `N / (R + Z)`. Checks the async path's measured rate against its latency.
 */
export function closedLoopRatePerSecond(users: number, latencyMs: number, thinkMeanMs: number): number {
  return (users / (latencyMs + thinkMeanMs)) * 1000;
}

/** A steady stream of orders into the payment queue while `workers` drain it. */
export interface WorkerLoad {
  /** Orders arriving per second (measured: the async path's accepted rate). */
  readonly arrivalPerSecond: number;
  /** How long the load lasts. */
  readonly durationMs: number;
  /** Workers consuming the payment queue, one message each at a time. */
  readonly workers: number;
  /** Concurrent payment slots shared by every worker (`Infinity` for unlimited). */
  readonly slots: number;
  /** How long one payment holds a slot. */
  readonly paymentMs: number;
}

/** The fluid-queue model's figures for a {@link WorkerLoad}. */
export interface WorkerEstimate {
  /** min(workers, slots) / payment time: workers beyond the slots only wait for one. */
  readonly serviceRatePerSecond: number;
  /** Orders per second processed during the load: the service rate, or the arrivals if fewer. */
  readonly processingRatePerSecond: number;
  /** (arrival - service rate) x duration, when arrivals outpace the workers; else 0. */
  readonly backlog: number;
  /**
   * Messages not yet processed (visible + in flight) when the load ends: the backlog, plus the payments the
   * first payment time could not complete (min(workers, slots): nothing finishes before one payment has
   * passed). Without a backlog, Little's law: arrival x payment time in flight.
   */
  readonly peakDepth: number;
  /** Time from the end of the load until the queue is empty: peak depth / service rate (one payment at least). */
  readonly drainMs: number;
  /** Workers needed to keep up with the arrivals: arrival rate x payment time (the study's rule). */
  readonly workersNeeded: number;
}

/** The fluid-queue estimate: a queue fed at a constant rate and drained at a constant rate. */
export function estimateWorkers(load: WorkerLoad): WorkerEstimate {
  const { arrivalPerSecond, durationMs, workers, slots, paymentMs } = load;
  const concurrency = Math.min(workers, slots);
  const serviceRatePerSecond = (concurrency / paymentMs) * 1000;
  const overloaded = arrivalPerSecond > serviceRatePerSecond;
  const backlog = overloaded ? ((arrivalPerSecond - serviceRatePerSecond) * durationMs) / 1000 : 0;
  const peakDepth = overloaded ? backlog + concurrency : (arrivalPerSecond * paymentMs) / 1000;
  const drainMs = overloaded ? Math.max(paymentMs, (peakDepth / serviceRatePerSecond) * 1000) : paymentMs;
  return {
    serviceRatePerSecond,
    processingRatePerSecond: Math.min(arrivalPerSecond, serviceRatePerSecond),
    backlog,
    peakDepth,
    drainMs,
    workersNeeded: Math.ceil((arrivalPerSecond * paymentMs) / 1000),
  };
}
