// @resilient-jobs/core/testing/simulator: the virtual clock and the simulator, without the vitest suites of
// @resilient-jobs/core/testing (which re-exports all of this), so node:test and other runners need no vitest.

// --- the simulator
export type {
  ClockJumpFaults,
  CrashFaults,
  FaultOptions,
  OutageFault,
} from "./simulate/faults.js";
export type { GroupOverlap } from "./simulate/groupOrder.js";
export type { BuiltInInvariant, Invariant, InvariantCheck } from "./simulate/invariants.js";
export { DEFAULT_INVARIANTS } from "./simulate/invariants.js";
export type {
  EffectRecord,
  MessageFinal,
  MessageReport,
  SimulationResult,
  SimulationRun,
  Violation,
} from "./simulate/report.js";
export { SimulationFailedError } from "./simulate/report.js";
export { simulate } from "./simulate/simulate.js";
export type { SimulateManyOptions, SimulateManyResult } from "./simulate/simulateMany.js";
export { simulateMany } from "./simulate/simulateMany.js";
export type {
  SimConsumerOptions,
  SimMessage,
  SimQueueOptions,
  SimulateOptions,
  SimulationKit,
} from "./simulate/simulateOptions.js";
export { SIMULATE_DEFAULTS } from "./simulate/simulateOptions.js";
export type { SimEvent, SimEventType } from "./simulate/trace.js";
export { formatEvent, serializeEvents } from "./simulate/trace.js";
export type { RunUntilOptions, VirtualClockOptions } from "./VirtualClock.js";
export { VirtualClock } from "./VirtualClock.js";
