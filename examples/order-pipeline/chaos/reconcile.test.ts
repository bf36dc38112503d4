import { describe, expect, it } from "vitest";
import type { QueueName } from "../src/backends/Backend.js";
import { type DeadLetterEntry, sortDeadLetters } from "./deadLetters.js";
import { poisonMessage } from "./poison.js";
import { type ReconcileInput, reconcile } from "./reconcile.js";

const QUEUES: readonly QueueName[] = ["payment", "inventory", "notification"];
const EMPTY = { visible: 0, inFlight: 0, delayed: 0 };

function envelope(message: string): string {
  return JSON.stringify({
    Type: "Notification",
    TopicArn: "arn:aws:sns:us-east-1:0:orders",
    MessageId: "m",
    Message: message,
  });
}

function poisonLetters(n: number, code = n % 4 === 0 ? "DECODE_FAILED" : "VALIDATION_FAILED"): DeadLetterEntry[] {
  return QUEUES.map((queue) => ({ queue, body: envelope(poisonMessage(n).body), code, reason: "why" }));
}

/** A run where everything went right: two orders, one poison message. */
function cleanRun(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    accepted: [
      { orderId: "o-1", atMs: 10 },
      { orderId: "o-2", atMs: 20 },
    ],
    statuses: new Map([
      ["o-1", "COMPLETED"],
      ["o-2", "COMPLETED"],
    ]),
    charges: new Map([
      ["o-1", 1],
      ["o-2", 1],
    ]),
    outageRejections: new Map(),
    poison: [poisonMessage(0)],
    deadLetters: poisonLetters(0),
    leftInQueues: { payment: EMPTY, inventory: EMPTY, notification: EMPTY },
    queues: QUEUES,
    unexpectedExits: [],
    drains: [{ workerId: "w1", exitMs: 50, drainMs: 10, exitCode: 0, forced: false }],
    breakerOpensDuringOutage: 2,
    outage: { startMs: 0, endMs: 15 },
    canaryFoundIn: [],
    ...overrides,
  };
}

describe("reconcile", () => {
  it("passes a run where every check holds", () => {
    const result = reconcile(cleanRun());

    expect(result.violations).toEqual([]);
    expect(result.checks.every((check) => check.ok)).toBe(true);
  });

  it("names an order charged twice and one never charged", () => {
    const result = reconcile(cleanRun({ charges: new Map([["o-1", 2]]) }));

    expect(result.violations).toEqual(["order o-1 was charged 2 times", "order o-2 was never charged"]);
  });

  it("names a poison message missing from a DLQ, and one parked without the code of its typed error", () => {
    const letters = poisonLetters(0).filter((entry) => entry.queue !== "inventory");
    letters[0] = { ...letters[0]!, code: undefined, reason: undefined };

    const result = reconcile(cleanRun({ deadLetters: letters }));

    expect(result.violations).toEqual([
      "poison:0 (not-json) is in the payment DLQ as no reason, expected DECODE_FAILED",
      "poison:0 (not-json) is not in the inventory DLQ",
    ]);
  });

  it("counts a valid order in the payment DLQ as a dead letter of the outage when the outage refused its charge", () => {
    const order = JSON.stringify({ type: "order.placed", orderId: "o-1" });

    const result = reconcile(
      cleanRun({
        outageRejections: new Map([["o-1", 3]]),
        deadLetters: [
          ...poisonLetters(0),
          { queue: "payment", body: envelope(order), code: undefined, reason: undefined },
        ],
      }),
    );

    expect(result.violations).toEqual([
      "order o-1 is in the payment DLQ (redrive: maxReceiveCount)",
      "the payment message of order o-1 was dead-lettered after the outage refused its charge",
    ]);
    expect(result.heldClaimOrders).toEqual([]);
  });

  it("tells orders whose payment message a held claim outlived apart from other violations", () => {
    const order = JSON.stringify({ type: "order.placed", orderId: "o-2" });

    const result = reconcile(
      cleanRun({
        statuses: new Map([
          ["o-1", "COMPLETED"],
          ["o-2", "PENDING"],
        ]),
        // The killed worker died before its charge reached the gateway.
        charges: new Map([["o-1", 1]]),
        deadLetters: [
          ...poisonLetters(0),
          { queue: "payment", body: envelope(order), code: undefined, reason: undefined },
        ],
        leftInQueues: { payment: EMPTY, inventory: { visible: 1, inFlight: 2, delayed: 0 }, notification: EMPTY },
      }),
    );

    expect(result.heldClaimOrders).toEqual(["o-2"]);
    expect(result.violations).toContain("order o-2 is PENDING, not COMPLETED");
    expect(result.violations).toContain("order o-2 was never charged");
    expect(result.otherViolations).toEqual(["inventory queue still holds 1 visible, 2 in flight, 0 delayed"]);
  });

  it("fails a drain that ran past the grace period, an unexpected exit, a breaker that never opened and a leaked canary", () => {
    const result = reconcile(
      cleanRun({
        drains: [{ workerId: "w3", exitMs: 2_300, drainMs: undefined, exitCode: null, forced: true }],
        unexpectedExits: [{ workerId: "w4", code: 1, signal: null }],
        breakerOpensDuringOutage: 0,
        canaryFoundIn: ["w2.log (sk_live_...)"],
      }),
    );

    expect(result.violations).toEqual([
      "worker w4 exited unasked (code 1, signal null)",
      "worker w3 did not exit within the grace period and was SIGKILLed",
      "no worker's breaker opened: the outage was too short to test it",
      "the canary appears in w2.log (sk_live_...)",
    ]);
  });

  it("lists at most ten problems of one kind, then counts the rest", () => {
    const ids = Array.from({ length: 15 }, (_, i) => `o-${i}`);

    const result = reconcile(
      cleanRun({
        accepted: ids.map((orderId) => ({ orderId, atMs: 0 })),
        statuses: new Map(),
        charges: new Map(ids.map((id) => [id, 1])),
      }),
    );

    expect(result.violations).toHaveLength(11);
    expect(result.violations.at(-1)).toBe("... and 5 more like these");
  });
});

describe("sortDeadLetters", () => {
  it("finds poison by its marker, valid orders by their id inside the SNS envelope, and keeps the rest apart", () => {
    const sorted = sortDeadLetters([
      { queue: "payment", body: envelope(poisonMessage(3).body), code: "VALIDATION_FAILED", reason: "x" },
      { queue: "payment", body: poisonMessage(4).body, code: "DECODE_FAILED", reason: "x" },
      { queue: "inventory", body: envelope(JSON.stringify({ orderId: "o-9" })), code: undefined, reason: undefined },
      { queue: "notification", body: "???", code: undefined, reason: undefined },
    ]);

    expect([...sorted.poison.keys()]).toEqual(["poison:3", "poison:4"]);
    expect(sorted.valid.map((entry) => entry.orderId)).toEqual(["o-9"]);
    expect(sorted.unknown.map((entry) => entry.body)).toEqual(["???"]);
  });
});
