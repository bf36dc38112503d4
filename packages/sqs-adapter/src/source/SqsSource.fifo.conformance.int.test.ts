import { describeMessageSource } from "@resilient-jobs/core/testing";
import { afterAll } from "vitest";
import { createConformanceFixture } from "./sqsTestKit.js";
import { startTestPeer } from "./sqsTestPeer.js";

const { client } = await startTestPeer(afterAll);

// fauxqs hands out at most one message per FIFO group per receive (AWS may return several, in order).
describeMessageSource("SqsSource on fauxqs (FIFO queue)", () => createConformanceFixture(client, true), {
  fifo: true,
  timeGranularityMs: 1000,
});
