// @resilient-jobs/core/testing: conformance suites any MessageSource or IdempotencyStore implementation can run.
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
