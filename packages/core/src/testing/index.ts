// @resilient-jobs/core/testing: conformance suites any MessageSource or IdempotencyStore implementation can run,
// and the virtual clock.
export type {
  DescribeIdempotencyStoreOptions,
  IdempotencyStoreFactory,
  IdempotencyStoreTestContext,
} from "./describeIdempotencyStore.js";
export { describeIdempotencyStore } from "./describeIdempotencyStore.js";
export type {
  DescribeMessageSourceOptions,
  MessageSourceFactory,
  MessageSourceFixture,
  MessageSourceSendOptions,
} from "./describeMessageSource.js";
export { describeMessageSource } from "./describeMessageSource.js";
export type { RunUntilOptions, VirtualClockOptions } from "./VirtualClock.js";
export { VirtualClock } from "./VirtualClock.js";
// --- the simulator
export type {
  ClockJumpFaults,
  CrashFaults,
  FaultOptions,
  OutageFault,
} from "./simulate/faults.js";
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
  SimMessage,
  SimQueueOptions,
  SimulateOptions,
  SimulationKit,
} from "./simulate/simulateOptions.js";
export { SIMULATE_DEFAULTS } from "./simulate/simulateOptions.js";
export type { SimEvent, SimEventType } from "./simulate/trace.js";
export { formatEvent, serializeEvents } from "./simulate/trace.js";
