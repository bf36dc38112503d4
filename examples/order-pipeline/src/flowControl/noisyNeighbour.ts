/**
 * The noisy-neighbour experiment (issue 14): tenant A floods the payment queue with 10,000 orders at once while
 * tenant B sends 100, one every 3 s. A payment consumer of 40 handlers charges them through the example's
 * gateway simulator (3 s per charge, no slot limit: the consumer's handlers are what the tenants share). How
 * long does B wait in the queue (handler start - sentAt)?
 *
 * - `none`: one FIFO-ish queue, no fairness: B's orders wait behind A's whole backlog;
 * - `consumer`: the consumer's `fairness` (key: the tenant attribute, at most 30 of the 40 handlers per tenant):
 *   A's messages over its share are handed back (each hand-back is a receive SQS would count);
 * - `fairQueue`: the in-memory queue as an SQS fair queue (each order sent with `groupId` = its tenant), no
 *   consumer fairness: a tenant holding more than 10% of the in-flight messages and at least 30 is served after
 *   the others.
 *
 * Durations are study ms; the run is shrunk by `timeScale`.
 */
import { createConsumer, type FairnessOptions, InMemoryQueue, silentLogger } from "@resilient-jobs/core";
import { pipelineConfig } from "../config.js";
import { PaymentGatewaySimulator } from "../payment/PaymentGatewaySimulator.js";
import { createTimeScale } from "../timeScale.js";

/** How the tenants are kept apart. */
export type FairnessMode = "none" | "consumer" | "fairQueue";

/** The experiment's set-up. */
export interface NoisyNeighbourOptions {
  readonly mode: FairnessMode;
  /** @defaultValue 10,000 */
  readonly floodCount?: number;
  /** @defaultValue 100 */
  readonly steadyCount?: number;
  /** B sends one order this often (study ms). @defaultValue 3,000 */
  readonly steadyEveryMs?: number;
  /** Payment handlers. @defaultValue 40 */
  readonly concurrency?: number;
  /** `fairness.maxInFlightPerKey` in mode `consumer`. @defaultValue 30 */
  readonly maxInFlightPerKey?: number;
  /** How long a charge takes (study ms). @defaultValue 3,000 */
  readonly paymentMs?: number;
  /** @defaultValue 0.01 */
  readonly timeScale?: number;
}

/** What one run measured. Times are study ms. */
export interface NoisyNeighbourRun {
  readonly mode: FairnessMode;
  /** B's queue times, in the order B sent the orders: `[sentAtMs since the start, queueMs]`. */
  readonly tenantB: readonly (readonly [sentAtMs: number, queueMs: number])[];
  /** A's orders charged before B's last one started, and per study second. */
  readonly tenantACharged: number;
  readonly tenantAPerSecond: number;
  /** Hand-backs over the fair share (what SQS would count as receives), in all and the most for one message. */
  readonly fairShareHandBacks: number;
  readonly maxHandBacksPerMessage: number;
  /** Study ms from the start until B's last order started. */
  readonly durationMs: number;
}

const TENANT = "tenant";

/** Runs the experiment in one mode: see the module comment. */
export async function runNoisyNeighbour(options: NoisyNeighbourOptions): Promise<NoisyNeighbourRun> {
  const factor = options.timeScale ?? 0.01;
  const scale = createTimeScale(factor);
  const floodCount = options.floodCount ?? 10_000;
  const steadyCount = options.steadyCount ?? 100;
  const steadyEveryMs = options.steadyEveryMs ?? 3_000;
  const gateway = new PaymentGatewaySimulator({ latencyMs: scale.ms(options.paymentMs ?? 3_000), slots: "unlimited" });
  const queue = new InMemoryQueue({
    name: "noisy-neighbour",
    visibilityTimeoutMs: scale.ms(pipelineConfig.visibilityTimeoutSeconds * 1000),
  });
  const send = (tenant: string, n: number) => ({
    body: JSON.stringify({ orderId: `${tenant}-${n}` }),
    attributes: { [TENANT]: tenant },
    ...(options.mode === "fairQueue" ? { groupId: tenant } : {}),
  });
  const fairness: FairnessOptions | undefined =
    options.mode === "consumer"
      ? {
          key: (message) => message.attributes[TENANT],
          maxInFlightPerKey: options.maxInFlightPerKey ?? 30,
          retryDelayMs: scale.ms(1_000),
        }
      : undefined;

  const origin = Date.now();
  const tenantB: [number, number][] = [];
  let tenantACharged = 0;
  let lastBStartedAt = 0;
  let allBStarted: () => void = () => {};
  const bDone = new Promise<void>((resolve) => {
    allBStarted = resolve;
  });
  const consumer = createConsumer<{ orderId: string }>({
    source: queue,
    concurrency: options.concurrency ?? 40,
    fairness,
    logger: silentLogger,
    backoff: { strategy: "full", baseMs: scale.ms(1_000), capMs: scale.ms(60_000) },
    handler: async (message, { signal }) => {
      const startedAt = Date.now();
      const tenant = message.attributes[TENANT];
      if (tenant === "B") {
        tenantB.push([(message.sentAt - origin) / factor, (startedAt - message.sentAt) / factor]);
        lastBStartedAt = startedAt;
        if (tenantB.length === steadyCount) allBStarted();
      }
      const { orderId } = message.body;
      await gateway.charge({ orderId, amountCents: 1_000, currency: "EUR", idempotencyKey: orderId }, signal);
      if (tenant === "A" && tenantB.length < steadyCount) tenantACharged++;
    },
  });
  const handBacks = new Map<string, number>();
  consumer.on("handedBack", (event) => {
    if (event.reason === "fairShare") handBacks.set(event.message.id, (handBacks.get(event.message.id) ?? 0) + 1);
  });

  for (let i = 0; i < floodCount; i += 10) {
    queue.sendBatch(Array.from({ length: Math.min(10, floodCount - i) }, (_, j) => send("A", i + j)));
  }
  consumer.start();
  let sent = 0;
  const sendB = () => {
    const { body, ...sendOptions } = send("B", sent++);
    queue.send(body, sendOptions);
  };
  sendB();
  const timer = setInterval(() => {
    if (sent < steadyCount) sendB();
    else clearInterval(timer);
  }, scale.ms(steadyEveryMs));
  await bDone;
  clearInterval(timer);
  // A's backlog is not the question: abort what still runs.
  await consumer.stop({ drainTimeoutMs: 1 });
  queue.close();

  const durationMs = (lastBStartedAt - origin) / factor;
  let total = 0;
  let most = 0;
  for (const count of handBacks.values()) {
    total += count;
    most = Math.max(most, count);
  }
  return {
    mode: options.mode,
    tenantB: tenantB.sort((a, b) => a[0] - b[0]),
    tenantACharged,
    tenantAPerSecond: durationMs > 0 ? (tenantACharged / durationMs) * 1000 : Number.NaN,
    fairShareHandBacks: total,
    maxHandBacksPerMessage: most,
    durationMs,
  };
}
