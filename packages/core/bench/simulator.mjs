// The simulator's figures for `npm run bench -w @resilient-jobs/core` (run.mjs calls it; `-- --simulator` runs it
// alone): how much virtual time one real second buys, how many seeds a second a fault search runs, and how soon
// the search finds a planted double charge.

const HANDLER_MS = 3_000;

/** Runs the scenarios with `core` (the root exports) and `testing` (the /testing exports); returns table rows. */
export async function benchSimulator({ core, testing, quick, median, fmt }) {
  const drainMessages = quick ? 600 : 3_000;
  const seeds = quick ? 1_000 : 10_000;
  const rows = [];

  const drain = await median(
    quick ? 1 : 3,
    () => oneWorkerDrain(testing, drainMessages),
    (r) => r.ratio,
  );
  rows.push([
    `one-worker drain: ${fmt(drainMessages)} x ${HANDLER_MS / 1000} s handler through simulate()`,
    fmt(drain.ratio),
    "x real time",
    `${(drain.virtualMs / 3_600_000).toFixed(2)} h virtual in ${fmt(drain.realMs)} ms; ${drain.ratio >= 1_000 ? "ok (>= 1,000x)" : "BELOW 1,000x"}`,
  ]);
  const raw = await median(
    quick ? 1 : 3,
    () => rawConsumerDrain(core, testing, drainMessages),
    (r) => r.ratio,
  );
  rows.push([
    "same drain, createConsumer + InMemoryQueue on a VirtualClock (no simulate)",
    fmt(raw.ratio),
    "x real time",
    `${fmt(raw.timers)} timers fired; ${fmt(raw.realMs)} ms`,
  ]);

  const safe = await searchSeeds(testing, seeds, idempotentHandler(core), EVERY_FAULT);
  rows.push([
    `makeIdempotent payment, every fault, ${fmt(seeds)} seeds (8 messages, concurrency 4)`,
    fmt(safe.seedsPerSecond),
    "seeds/s",
    safe.failure
      ? `FAILED at seed ${safe.failure.seed}`
      : `0 violations in ${fmt(seeds)} seeds; ${fmt(safe.realMs)} ms`,
  ]);
  const naive = await searchSeeds(testing, seeds, naiveHandler, EVERY_FAULT);
  rows.push([
    "same payment without makeIdempotent: first seed with a double charge",
    naive.failure ? String(naive.failure.seed) : "none",
    "seed",
    naive.failure ? naive.failure.violations[0].description : `none in ${fmt(seeds)} seeds`,
  ]);
  const crashOnly = await searchSeeds(testing, seeds, naiveHandler, { crash: { probability: 0.01 } });
  rows.push([
    "without makeIdempotent, only crashes (1% of the crash points): first seed with a double charge",
    crashOnly.failure ? String(crashOnly.failure.seed) : "none",
    "seed",
    crashOnly.failure ? naive.failure.violations[0].description : `none in ${fmt(seeds)} seeds`,
  ]);
  return rows;
}

const orders = (count) => Array.from({ length: count }, (_, i) => ({ body: { orderId: `order-${i + 1}` } }));

async function oneWorkerDrain(testing, count) {
  const started = performance.now();
  const result = await testing.simulate({
    seed: 1,
    until: count * HANDLER_MS * 2,
    messages: orders(count),
    consumer: { concurrency: 1 },
    handler: naiveHandler,
  });
  const realMs = performance.now() - started;
  if (!result.ok) throw new Error(result.report());
  return { ratio: result.elapsedMs / realMs, realMs, virtualMs: result.elapsedMs };
}

async function rawConsumerDrain(core, testing, count) {
  const clock = new testing.VirtualClock();
  const queue = new core.InMemoryQueue({ clock });
  for (const { body } of orders(count)) queue.send(JSON.stringify(body));
  let acked = 0;
  const consumer = core.createConsumer({
    source: queue,
    clock,
    concurrency: 1,
    logger: core.silentLogger,
    handler: (_message, context) => context.clock.sleep(HANDLER_MS, context.signal),
  });
  consumer.on("acked", () => acked++);
  const started = performance.now();
  consumer.start();
  await clock.runUntil(() => acked === count);
  const realMs = performance.now() - started;
  const stopping = consumer.stop();
  await clock.runUntil(() => consumer.state === "stopped");
  await stopping;
  return { ratio: clock.elapsedMs / realMs, realMs, timers: clock.firedTimers };
}

const EVERY_FAULT = Object.freeze({
  duplicate: 0.05,
  visibilityExpiry: 0.02,
  ackFailure: 0.02,
  receiveError: 0.02,
  crash: { probability: 0.02 },
});

async function searchSeeds(testing, runs, handler, faults) {
  const started = performance.now();
  const { runs: made, failure } = await testing.simulateMany({
    runs,
    messages: orders(8),
    consumer: { concurrency: 4 },
    faults,
    handler,
  });
  const realMs = performance.now() - started;
  return { seedsPerSecond: made / (realMs / 1000), realMs, failure };
}

function naiveHandler(kit) {
  return async (message, context) => {
    await kit.clock.sleep(HANDLER_MS, context.signal);
    kit.effect(`charge:${message.body.orderId}`, message);
  };
}

function idempotentHandler(core) {
  return (kit) => {
    const store = kit.external("table", () => new core.MemoryIdempotencyStore({ clock: kit.clock }));
    const charge = core.makeIdempotent(
      async (message, signal) => {
        await kit.clock.sleep(HANDLER_MS, signal);
        kit.effect(`charge:${message.body.orderId}`, message);
      },
      { store, key: (message) => message.body.orderId, clock: kit.clock, random: kit.random },
    );
    return (message, context) => charge(message, context.signal);
  };
}
