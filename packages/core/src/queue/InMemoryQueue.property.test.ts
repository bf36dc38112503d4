import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryQueue } from "./InMemoryQueue.js";
import type { QueueMessage } from "./MessageSource.js";

type Op =
  | { kind: "send"; delayMs: number }
  | { kind: "receive"; max: number }
  | { kind: "ack"; index: number }
  | { kind: "retry"; index: number; delayMs: number }
  | { kind: "extend"; index: number; seconds: number }
  | { kind: "advance"; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), delayMs: fc.constantFrom(0, 0, 500, 2_000) }),
  fc.record({ kind: fc.constant("receive" as const), max: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant("ack" as const), index: fc.nat(30) }),
  fc.record({ kind: fc.constant("retry" as const), index: fc.nat(30), delayMs: fc.constantFrom(0, 700) }),
  fc.record({ kind: fc.constant("extend" as const), index: fc.nat(30), seconds: fc.constantFrom(0, 1, 3) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 2_500 }) }),
);

describe("InMemoryQueue (standard): invariants under any sequence of operations", () => {
  it("never loses a message, deletes each exactly once, and never lets two receipt handles own one message", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), async (ops) => {
        let clock = 0;
        const queue = new InMemoryQueue({ visibilityTimeoutMs: 1_000, now: () => clock });
        const sent = new Set<string>();
        const deleted = new Set<string>();
        // Every handle ever received, stale ones included: acks and extends use them at random.
        const handles: QueueMessage[] = [];
        const latest = new Map<string, string>();
        for (const o of ops) {
          if (o.kind === "send") sent.add(queue.send("x", { delayMs: o.delayMs }).id);
          else if (o.kind === "receive") {
            for (const m of await queue.receive(o.max, { waitTimeMs: 0 })) {
              expect(deleted.has(m.id)).toBe(false);
              handles.push(m);
              latest.set(m.id, m.receiptHandle);
            }
          } else if (o.kind === "advance") clock += o.ms;
          else {
            const m = handles[o.index % Math.max(1, handles.length)];
            if (m === undefined) continue;
            if (o.kind === "ack") {
              const { failed } = await queue.ack([m]);
              // Only the latest handle of a message not yet deleted may delete it.
              const owner = latest.get(m.id) === m.receiptHandle && !deleted.has(m.id);
              expect(failed.length === 0).toBe(owner);
              if (owner) deleted.add(m.id);
            } else if (o.kind === "retry") await queue.retryLater(m, o.delayMs);
            else await queue.extend([m], o.seconds);
          }
          const stats = queue.stats();
          expect(stats.visible + stats.inFlight + stats.delayed).toBe(sent.size - deleted.size);
        }
        // Drain: everything not deleted comes back once the clock passes every deadline.
        clock += 3_600_000;
        const rest = new Set<string>();
        for (let batch = await queue.receive(10, { waitTimeMs: 0 }); batch.length > 0; ) {
          for (const m of batch) rest.add(m.id);
          expect((await queue.ack(batch)).failed).toEqual([]);
          batch = await queue.receive(10, { waitTimeMs: 0 });
        }
        expect([...rest, ...deleted].sort()).toEqual([...sent].sort());
      }),
      { numRuns: 300 },
    );
  });
});
