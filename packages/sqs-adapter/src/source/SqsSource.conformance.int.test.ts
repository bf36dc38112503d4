import { describeMessageSource } from "@resilient-jobs/core/testing";
import { afterAll } from "vitest";
import { createConformanceFixture } from "./sqsTestKit.js";
import { startTestPeer } from "./sqsTestPeer.js";

const { client } = await startTestPeer(afterAll);

// The standard and FIFO suites are in two files so vitest runs them in parallel (each waits out many 1 s timeouts).
describeMessageSource("SqsSource on fauxqs (standard queue)", () => createConformanceFixture(client, false), {
  timeGranularityMs: 1000,
});
