/**
 * The chaos run's worker processes: started, SIGKILLed, SIGTERMed with a grace period (then SIGKILLed, as ECS
 * does after its stop timeout) and replaced, like tasks of an ECS service. It records every exit, so an exit
 * nobody asked for shows up as a violation.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import type { CircuitState } from "@resilient-jobs/core";
import { parseWorkerReport, type WorkerSettings, workerSettingsEnv } from "./workerProtocol.js";

/** Options of {@link createWorkerFleet}. */
export interface WorkerFleetOptions {
  /** The bundled worker entry (`worker.js`). */
  script: string;
  /** Environment of every worker (AWS endpoints, credentials, `ORDERS_*`). */
  env: Record<string, string>;
  /** Chaos settings of every worker; the id is added per process. */
  settings: Omit<WorkerSettings, "workerId">;
  /** Where each worker's stderr is written (`<id>.log`); undefined keeps it in memory. */
  logDir: string | undefined;
  /** How long a worker may take to report `ready`. */
  startTimeoutMs: number;
}

/** How a SIGTERM went. */
export interface DrainResult {
  readonly workerId: string;
  /** From SIGTERM to exit. */
  readonly exitMs: number;
  /** What the worker reported as its drain time; undefined when it never reported. */
  readonly drainMs: number | undefined;
  readonly exitCode: number | null;
  /** True when the grace period passed and the worker was SIGKILLed. */
  readonly forced: boolean;
}

/** A worker that exited without being told to. */
export interface UnexpectedExit {
  readonly workerId: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What the fleet saw. */
export interface FleetRecord {
  readonly started: number;
  readonly killed: string[];
  readonly drains: DrainResult[];
  readonly unexpectedExits: UnexpectedExit[];
  /** Breaker state changes reported by the workers, in order. */
  readonly breakerChanges: Array<{ workerId: string; state: CircuitState; at: number }>;
  /** Each worker's stderr, when no `logDir` was given. */
  readonly logs: Map<string, string[]>;
}

/** A worker's life: only `ready` workers are picked for a kill or a SIGTERM. */
type WorkerState = "starting" | "ready" | "stopping";

interface Running {
  readonly id: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  state: WorkerState;
  drainMs: number | undefined;
}

/** The fleet. */
export interface WorkerFleet {
  /** Starts `count` workers and waits until each is ready. */
  start(count: number): Promise<void>;
  /** SIGKILLs the worker at `index` (modulo the fleet size) and starts a replacement; resolves when it is ready. */
  kill(index: number): Promise<string>;
  /** SIGTERMs the worker at `index`, waits up to `graceMs` (then SIGKILLs), and starts a replacement. */
  terminate(index: number, graceMs: number): Promise<DrainResult>;
  /** SIGTERMs every worker and waits for them (up to `graceMs` each, then SIGKILL). */
  stopAll(graceMs: number): Promise<DrainResult[]>;
  readonly record: FleetRecord;
}

/** Creates an empty fleet. */
export function createWorkerFleet(options: WorkerFleetOptions): WorkerFleet {
  const running: Running[] = [];
  const logStreams: WriteStream[] = [];
  let nextId = 1;
  const record: FleetRecord = {
    started: 0,
    killed: [],
    drains: [],
    unexpectedExits: [],
    breakerChanges: [],
    logs: new Map(),
  };

  const launch = (): Promise<Running> => {
    const id = `w${nextId++}`;
    const child = spawn(process.execPath, [options.script], {
      env: { ...options.env, ...workerSettingsEnv({ ...options.settings, workerId: id }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    (record as { started: number }).started += 1;
    const worker: Running = {
      id,
      child,
      state: "starting",
      drainMs: undefined,
      exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    };
    if (options.logDir === undefined) {
      const lines: string[] = [];
      record.logs.set(id, lines);
      createInterface({ input: child.stderr! }).on("line", (line) => lines.push(line));
    } else {
      const stream = createWriteStream(join(options.logDir, `${id}.log`));
      logStreams.push(stream);
      child.stderr!.pipe(stream);
    }
    const ready = new Promise<Running>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${id} did not report ready in ${options.startTimeoutMs} ms`)),
        options.startTimeoutMs,
      );
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const report = parseWorkerReport(line);
        if (report?.event === "ready") {
          clearTimeout(timer);
          if (worker.state === "starting") worker.state = "ready";
          resolve(worker);
        } else if (report?.event === "breaker") {
          record.breakerChanges.push({ workerId: id, state: report.state, at: report.at });
        } else if (report?.event === "stopped") {
          worker.drainMs = report.drainMs;
        }
      });
      worker.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        const index = running.indexOf(worker);
        if (index >= 0) running.splice(index, 1);
        if (worker.state !== "stopping") record.unexpectedExits.push({ workerId: id, code, signal });
        reject(new Error(`worker ${id} exited (code ${code}, signal ${signal}) before it was ready`));
      });
    });
    running.push(worker);
    return ready;
  };

  // Only ready workers: one told to stop already would end differently after a second signal, and one still
  // starting has nothing in flight to lose.
  const pick = async (index: number): Promise<Running> => {
    for (;;) {
      const candidates = running.filter((worker) => worker.state === "ready");
      const worker = candidates[index % candidates.length];
      if (worker !== undefined) {
        worker.state = "stopping";
        return worker;
      }
      if (running.length === 0) throw new Error("no worker is running");
      await sleep(50);
    }
  };

  const terminate = async (worker: Running, graceMs: number): Promise<DrainResult> => {
    worker.state = "stopping";
    const sentAt = performance.now();
    worker.child.kill("SIGTERM");
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      worker.child.kill("SIGKILL");
    }, graceMs);
    const { code } = await worker.exited;
    clearTimeout(timer);
    const result: DrainResult = {
      workerId: worker.id,
      exitMs: Math.round(performance.now() - sentAt),
      drainMs: worker.drainMs,
      exitCode: code,
      forced,
    };
    record.drains.push(result);
    return result;
  };

  return {
    record,
    async start(count) {
      await Promise.all(Array.from({ length: count }, () => launch()));
    },
    async kill(index) {
      const worker = await pick(index);
      worker.child.kill("SIGKILL");
      record.killed.push(worker.id);
      await worker.exited;
      await launch();
      return worker.id;
    },
    async terminate(index, graceMs) {
      const result = await terminate(await pick(index), graceMs);
      await launch();
      return result;
    },
    async stopAll(graceMs) {
      const results = await Promise.all([...running].map((worker) => terminate(worker, graceMs)));
      await Promise.all(logStreams.splice(0).map((stream) => new Promise((resolve) => stream.end(resolve))));
      return results;
    },
  };
}
