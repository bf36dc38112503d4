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
