// @resilient-jobs/core/testing: conformance suites any MessageSource or IdempotencyStore implementation can run,
// and (re-exported from @resilient-jobs/core/testing/simulator) the virtual clock and the simulator.
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
export type {
  BuiltInInvariant,
  ClockJumpFaults,
  CrashFaults,
  EffectRecord,
  FaultOptions,
  GroupOverlap,
  Invariant,
  InvariantCheck,
  MessageFinal,
  MessageReport,
  OutageFault,
  RunUntilOptions,
  SimEvent,
  SimEventType,
  SimConsumerOptions,
  SimMessage,
  SimQueueOptions,
  SimulateManyOptions,
  SimulateManyResult,
  SimulateOptions,
  SimulationKit,
  SimulationResult,
  SimulationRun,
  Violation,
  VirtualClockOptions,
} from "./simulator.js";
export {
  DEFAULT_INVARIANTS,
  SIMULATE_DEFAULTS,
  SimulationFailedError,
  VirtualClock,
  formatEvent,
  serializeEvents,
  simulate,
  simulateMany,
} from "./simulator.js";
