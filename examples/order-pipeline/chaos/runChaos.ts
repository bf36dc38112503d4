/**
 * The chaos run: valid orders through the async API, worker processes consuming through a fault-injecting
 * SQS proxy, and during the load: SIGKILLs and SIGTERMs of random workers (each replaced), SQS errors,
 * duplicate deliveries, poison on the topic and a payment-gateway outage long enough to open the breakers.
 * Then it waits for the queues to empty, reconciles, and reports.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PublishCommand } from "@aws-sdk/client-sns";
import { QUEUE_NAMES } from "../src/backends/Backend.js";
import { pipelineConfig } from "../src/config.js";
import { randomInt, seededRandom } from "../src/random.js";
import { createTimeScale } from "../src/timeScale.js";
import { CANARY_CREDENTIALS, type ChaosEnvironment, startChaosEnvironment } from "./chaosEnvironment.js";
import { queuesEmpty, readDeadLetters, readLeftInQueues, readStatuses } from "./collect.js";
import type { FaultProxyStats } from "./faultProxy.js";
import { type ChaosOptions, resolveChaosOptions } from "./options.js";
import { LOG_CANARY, type LoadResult, placeOrders } from "./orderLoad.js";
import { type PoisonMessage, poisonMessage } from "./poison.js";
import { type Reconciliation, reconcile } from "./reconcile.js";
import { createWorkerFleet, type FleetRecord } from "./workerFleet.js";

/** What a chaos run did and found. */
export interface ChaosReport {
  readonly options: Readonly<ChaosOptions>;
  readonly load: LoadResult;
  readonly poison: readonly PoisonMessage[];
  readonly proxy: FaultProxyStats;
  readonly fleet: Omit<FleetRecord, "logs">;
  readonly gateway: { charges: number; calls: number; outageMs: number };
  /** Time from the first order to empty queues. */
  readonly settleMs: number;
  readonly totalMs: number;
  readonly reconciliation: Reconciliation;
}

/** The bundled processes a run starts (see bundle.ts). */
export interface ChaosScripts {
  /** `worker.js` */
  readonly worker: string;
  /** `peer.js` */
  readonly peer: string;
}

/** Runs the chaos experiment with `options` over the CI preset. */
export async function runChaos(scripts: ChaosScripts, options: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const config = resolveChaosOptions(options);
  const startedAt = performance.now();
  const random = seededRandom(config.seed);
  const timeScale = createTimeScale(config.timeScale);
  const say = config.progress ?? (() => undefined);
  const env = await startChaosEnvironment(scripts.peer, config, timeScale, random);
  // ECS SIGKILLs a task stopTimeout (30 s) after SIGTERM; the consumer's drain deadline (25 s) is scaled, but the
  // margin between the two (5 s) is not: what fills it (the last hand-backs and acks through SDK retries, closing
  // clients, process exit) takes real time whatever the time scale.
  const drainDeadlineMs = timeScale.ms(pipelineConfig.drainTimeoutMs);
  const graceMs = drainDeadlineMs + Math.max(0, config.studyGraceMs - pipelineConfig.drainTimeoutMs);

  const fleet = createWorkerFleet({
    script: scripts.worker,
    env: env.workerEnv,
    settings: {
      gatewayUrl: env.gatewayUrl,
      timeScale: config.timeScale,
      paymentWorkers: config.paymentWorkers,
      deadLetterUrls: env.deadLetterUrls,
      logLevel: config.workerLogLevel,
    },
    logDir: config.logDir,
    startTimeoutMs: 30_000,
  });
  let monitor: { stop(): Promise<void> } | undefined;
  try {
    await fleet.start(config.workerProcesses);
    say(`${config.workerProcesses} workers ready in ${Math.round(performance.now() - startedAt)} ms`);

    const loadMs = (config.orders / config.ordersPerSecond) * 1000;
    const outageMs = config.studyOutageMs === 0 ? 0 : timeScale.ms(config.studyOutageMs);
    const outageStartMs = config.outageAt * loadMs;
    const loadStartedAt = performance.now();
    const epochAtLoadStart = Date.now();
    const chaos = scheduleChaos(config, env, fleet, random, { loadMs, outageMs, outageStartMs, graceMs }, say);

    const poison: PoisonMessage[] = [];
    const poisonAt = poisonPositions(config);
    monitor = startMonitor(env, fleet.record, say, loadStartedAt);
    const load = await placeOrders({
      apiUrl: env.apiUrl,
      orders: config.orders,
      ordersPerSecond: config.ordersPerSecond,
      concurrency: config.clientConcurrency,
      beforeOrder: async (i) => {
        const n = poisonAt.get(i);
        if (n === undefined) return;
        const message = poisonMessage(n);
        poison.push(message);
        await env.clients.sns.send(new PublishCommand({ TopicArn: env.resources.topicArn, Message: message.body }));
      },
    });
    say(`load done: ${load.accepted.length} accepted in ${Math.round(load.durationMs)} ms`);
    await chaos;

    const settled = await settle(env, config.settleTimeoutMs);
    const settleMs = performance.now() - loadStartedAt;
    await monitor.stop();
    say(settled ? `queues empty after ${Math.round(settleMs)} ms` : "the queues did not empty in time");

    const [statuses, deadLetters, leftInQueues] = await Promise.all([
      readStatuses(
        env.backend.orders,
        load.accepted.map((order) => order.orderId),
      ),
      readDeadLetters(env.clients.sqs, env.deadLetterUrls),
      readLeftInQueues(env.clients.sqs, env.resources.queueUrls),
    ]);
    await fleet.stopAll(graceMs);
    const charges = new Map(load.accepted.map(({ orderId }) => [orderId, env.gateway.chargesFor(orderId)]));
    const outageRejections = new Map(load.accepted.map(({ orderId }) => [orderId, env.rejectedDuringOutage(orderId)]));
    const outageEnd = epochAtLoadStart + outageStartMs + outageMs;
    const breakerWindowEnd = outageEnd + timeScale.ms(pipelineConfig.payment.breakerResetTimeoutMs);
    const reconciliation = reconcile({
      accepted: load.accepted,
      statuses,
      charges,
      outageRejections,
      poison,
      deadLetters,
      leftInQueues,
      queues: QUEUE_NAMES,
      unexpectedExits: fleet.record.unexpectedExits,
      drains: fleet.record.drains,
      breakerOpensDuringOutage:
        outageMs === 0
          ? undefined
          : fleet.record.breakerChanges.filter(
              (change) =>
                change.state === "open" &&
                change.at >= epochAtLoadStart + outageStartMs &&
                change.at <= breakerWindowEnd,
            ).length,
      outage: outageMs === 0 ? undefined : { startMs: outageStartMs, endMs: outageStartMs + outageMs },
      canaryFoundIn: await findCanaries(config.logDir, fleet.record, env.apiLog),
    });
    const { logs: _logs, ...fleetRecord } = fleet.record;
    const gatewayCalls = load.accepted.reduce((sum, { orderId }) => sum + env.gateway.callsFor(orderId), 0);
    return {
      options: config,
      load,
      poison,
      proxy: env.proxy.stats(),
      fleet: fleetRecord,
      gateway: { charges: env.gateway.totalCharges(), calls: gatewayCalls, outageMs },
      settleMs,
      totalMs: performance.now() - startedAt,
      reconciliation,
    };
  } finally {
    await monitor?.stop();
    await fleet.stopAll(graceMs).catch(() => undefined);
    await env.close();
  }
}

interface Timeline {
  loadMs: number;
  outageMs: number;
  outageStartMs: number;
  graceMs: number;
}

/** Starts the kills, SIGTERMs and the outage at random times of the load; resolves when all are over. */
function scheduleChaos(
  config: Readonly<ChaosOptions>,
  env: ChaosEnvironment,
  fleet: ReturnType<typeof createWorkerFleet>,
  random: () => number,
  timeline: Timeline,
  say: (line: string) => void,
): Promise<unknown> {
  const at = () => timeline.loadMs * (0.1 + 0.8 * random());
  const events: Promise<unknown>[] = [];
  for (let i = 0; i < config.kills; i++) {
    const index = randomInt(random, 0, config.workerProcesses - 1);
    events.push(
      sleep(at()).then(async () => {
        const id = await fleet.kill(index);
        say(`SIGKILLed worker ${id}; replacement ready`);
      }),
    );
  }
  for (let i = 0; i < config.sigterms; i++) {
    const index = randomInt(random, 0, config.workerProcesses - 1);
    events.push(
      sleep(at()).then(async () => {
        const drain = await fleet.terminate(index, timeline.graceMs);
        say(`SIGTERMed worker ${drain.workerId}: exit ${drain.exitCode} after ${drain.exitMs} ms`);
      }),
    );
  }
  if (timeline.outageMs > 0) {
    events.push(
      sleep(timeline.outageStartMs).then(async () => {
        env.gateway.setOutage(true);
        say(`payment gateway down for ${timeline.outageMs} ms`);
        await sleep(timeline.outageMs);
        env.gateway.setOutage(false);
        say("payment gateway back");
      }),
    );
  }
  return Promise.all(events);
}

/** Order index -> poison number, spread evenly over the load. */
function poisonPositions(config: Readonly<ChaosOptions>): Map<number, number> {
  const count = Math.round(config.orders * config.poisonRate);
  const positions = new Map<number, number>();
  for (let n = 0; n < count; n++) positions.set(Math.floor(((n + 0.5) * config.orders) / count), n);
  return positions;
}

/** Waits until no worker queue holds a message on two reads in a row, or `timeoutMs` passes. */
async function settle(env: ChaosEnvironment, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let emptyReads = 0;
  while (performance.now() < deadline) {
    emptyReads = queuesEmpty(await readLeftInQueues(env.clients.sqs, env.resources.queueUrls)) ? emptyReads + 1 : 0;
    if (emptyReads >= 2) return true;
    await sleep(500);
  }
  return false;
}

function startMonitor(env: ChaosEnvironment, record: FleetRecord, say: (line: string) => void, since: number) {
  const stopped = new AbortController();
  const loop = async () => {
    while (!stopped.signal.aborted) {
      await sleep(3_000, undefined, { signal: stopped.signal }).catch(() => undefined);
      if (stopped.signal.aborted) break;
      const left = await readLeftInQueues(env.clients.sqs, env.resources.queueUrls).catch(() => undefined);
      if (left === undefined) continue;
      const queues = QUEUE_NAMES.map((name) => `${name} ${left[name].visible}/${left[name].inFlight}`).join(", ");
      say(
        `t=${((performance.now() - since) / 1000).toFixed(0)}s charges=${env.gateway.totalCharges()} ` +
          `queues (visible/in flight): ${queues}; workers started=${record.started}`,
      );
    }
  };
  const running = loop();
  return {
    stop() {
      stopped.abort();
      return running;
    },
  };
}

/** Where the canaries (a secret-looking order field, the credentials) appear in any log. */
async function findCanaries(logDir: string | undefined, record: FleetRecord, apiLog: readonly string[]) {
  const canaries = [LOG_CANARY, CANARY_CREDENTIALS.secretAccessKey, CANARY_CREDENTIALS.accessKeyId];
  const found: string[] = [];
  const search = (where: string, text: string) => {
    for (const canary of canaries) if (text.includes(canary)) found.push(`${where} (${canary.slice(0, 8)}...)`);
  };
  search("the API log", apiLog.join("\n"));
  if (logDir === undefined) {
    for (const [id, lines] of record.logs) search(`worker ${id}'s log`, lines.join("\n"));
  } else {
    for (let i = 1; i <= record.started; i++) {
      const text = await readFile(join(logDir, `w${i}.log`), "utf8").catch(() => "");
      search(`w${i}.log`, text);
    }
  }
  return found;
}
