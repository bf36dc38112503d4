import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeadlineHeap, type HeapItem } from "./DeadlineHeap.js";
import { RingDeque } from "./RingDeque.js";

describe("RingDeque", () => {
  it("behaves like an array used as a queue, across growth and wrap-around", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 300 }), (ops) => {
        const deque = new RingDeque<number>(2);
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) expect(deque.shift()).toBe(model.shift());
          else {
            deque.push(op);
            model.push(op);
          }
          expect(deque.length).toBe(model.length);
          expect(deque.peek()).toBe(model[0]);
        }
      }),
    );
  });
});

describe("DeadlineHeap", () => {
  type Op =
    | { kind: "set"; item: number; deadline: number }
    | { kind: "delete"; item: number }
    | { kind: "pop"; now: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), item: fc.nat(20), deadline: fc.nat(1000) }),
    fc.record({ kind: fc.constant("delete" as const), item: fc.nat(20) }),
    fc.record({ kind: fc.constant("pop" as const), now: fc.nat(1000) }),
  );

  it("pops due items earliest first while deadlines are moved and items removed", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = new DeadlineHeap<HeapItem & { id: number }>();
        const items = Array.from({ length: 21 }, (_, id) => ({ id, deadline: 0, heapIndex: -1 }));
        const model = new Map<number, number>();
        for (const o of ops) {
          const item = items[o.kind === "pop" ? 0 : o.item] as HeapItem & { id: number };
          if (o.kind === "set") {
            heap.set(item, o.deadline);
            model.set(item.id, o.deadline);
          } else if (o.kind === "delete") {
            heap.delete(item);
            model.delete(item.id);
          } else {
            const popped = heap.popDue(o.now);
            const earliest = Math.min(...model.values());
            if (model.size === 0 || earliest > o.now) expect(popped).toBeUndefined();
            else {
              expect(popped?.deadline).toBe(earliest);
              model.delete(popped?.id as number);
            }
          }
          expect(heap.size).toBe(model.size);
          expect(heap.peek()?.deadline).toBe(model.size === 0 ? undefined : Math.min(...model.values()));
        }
      }),
    );
  });
});
