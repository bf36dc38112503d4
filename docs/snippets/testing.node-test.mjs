// docs/testing.md, "With node:test": the simulator under Node's own test runner (no vitest). Run it with
// `node --test docs/snippets/testing.node-test.mjs` after `npm run build`; a vitest test runs it too.
import assert from "node:assert/strict";
import { test } from "node:test";
import { simulate } from "@resilient-jobs/core/testing/simulator";

const handler = (kit) => async (message, context) => {
  await kit.clock.sleep(3_000, context.signal);
  kit.effect(`charge:${message.body.orderId}`, message);
};

test("a non-idempotent payment handler charges twice when SQS delivers a message twice", async () => {
  const messages = Array.from({ length: 10 }, (_, i) => ({ body: { orderId: `order-${i + 1}` } }));
  let failure;
  for (let seed = 1; seed <= 200 && failure === undefined; seed++) {
    const result = await simulate({ seed, messages, faults: { duplicate: 0.2 }, handler });
    if (!result.ok) failure = result;
  }
  assert.ok(failure, "no seed of 200 found the double charge");
  assert.match(failure.report(), /effectsAtMostOnce: effect "charge:order-\d+" happened 2 times/);
});

test("the same seed replays the same events", async () => {
  const options = { seed: 7, messages: [{ body: { orderId: "a" } }], faults: { duplicate: 0.5 }, handler };
  const first = await simulate(options);
  const second = await simulate(options);
  assert.equal(second.log(), first.log());
});
