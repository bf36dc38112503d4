/**
 * How big the processor service is and when it scales, from the study's figures (shared/SEEDS.md) and the
 * pipeline's config. Plain numbers, no CDK: the stack and its tests read the same values.
 */
import { pipelineConfig } from "../src/config.js";
import { estimateWorkers } from "../src/experiment/queueingTheory.js";
import type { PaymentProcessorKind } from "./constructs/processorKind.js";

/** The flash sale's arrival rate: the async endpoint accepted ~48-52 orders/s; the study's rule uses 51/s. */
export const STUDY_ARRIVAL_PER_SECOND = 51;

/**
 * Payment handlers per processor task. The work is a 3 s wait on the gateway, not CPU (the Lambda variant
 * used 18-19 MB of 512 MB), so one small task holds many of them; 20 is what `npm start` runs in one process.
 */
export const PAYMENT_WORKERS_PER_TASK = 20;

/**
 * How long a message may wait in the queue, on average, when the processor runs at its target: the backlog
 * one task may hold is what its workers clear in this time (the AWS "backlog per task" recipe).
 */
export const ACCEPTABLE_BACKLOG_SECONDS = 30;

/**
 * Fargate task size: the smallest ARM64 size, 0.25 vCPU and 0.5 GB, for both services. The study's worker is
 * I/O bound (each payment waits 3 s on the gateway) and the Lambda variant used 18-19 MB of its 512 MB, so a
 * bigger task would mostly buy idle CPU: scale out on backlog instead of up.
 */
export const TASK_SIZE = Object.freeze({ cpu: 256, memoryLimitMiB: 512 });

/** When the processor service scales, and between which bounds. */
export interface ProcessorScaling {
  /** The queue whose backlog drives the scaling: payment when ECS consumes it, else inventory (the slowest branch). */
  readonly queue: "payment" | "inventory";
  /** Handlers per task on that queue. */
  readonly workersPerTask: number;
  /** Target of ApproximateNumberOfMessagesVisible / running tasks. */
  readonly backlogPerTaskTarget: number;
  /** Always running: one on-demand task keeps consuming whatever Spot does. */
  readonly minTasks: number;
  /** Enough tasks for the study's rule, workers >= arrival rate x service time. */
  readonly maxTasks: number;
  /** The rule's worker count at the study's arrival rate (51/s x 3 s = 153 for payment). */
  readonly workersNeeded: number;
}

/**
 * The processor's scaling for a payment processor kind. Backlog per task = workers x acceptable wait / service
 * time (20 workers x 30 s / 3 s = 200 payment messages per task); the maximum covers the study's rule
 * (ceil(153 / 20) = 8 tasks).
 */
export function processorScaling(processor: PaymentProcessorKind): ProcessorScaling {
  const onPayment = processor === "ecs";
  const serviceMs = onPayment ? pipelineConfig.payment.latencyMs : pipelineConfig.inventoryLatencyMs;
  const workersPerTask = onPayment ? PAYMENT_WORKERS_PER_TASK : pipelineConfig.branchWorkers;
  const { workersNeeded } = estimateWorkers({
    arrivalPerSecond: STUDY_ARRIVAL_PER_SECOND,
    durationMs: 60_000,
    workers: workersPerTask,
    slots: Number.POSITIVE_INFINITY,
    paymentMs: serviceMs,
  });
  return Object.freeze({
    queue: onPayment ? "payment" : "inventory",
    workersPerTask,
    backlogPerTaskTarget: Math.round((workersPerTask * ACCEPTABLE_BACKLOG_SECONDS * 1000) / serviceMs),
    minTasks: 1,
    maxTasks: Math.max(1, Math.ceil(workersNeeded / workersPerTask)),
    workersNeeded,
  });
}
