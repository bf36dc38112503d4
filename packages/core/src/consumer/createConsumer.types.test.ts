import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumer } from "./createConsumer.js";
import type { ConsumerEvents } from "./events.js";
import type { Consumer, ConsumerMessage, ConsumerState, HandlerContext } from "./types.js";

// Type tests: checked by `tsc` (the root tsconfig includes tests); the runtime part only constructs.
describe("createConsumer types", () => {
  it("infers the body type from the schema", () => {
    const consumer = createConsumer({
      source: new InMemoryQueue(),
      schema: z.object({ orderId: z.string(), quantity: z.number() }),
      handler: async (message, context) => {
        expectTypeOf(message.body).toEqualTypeOf<{ orderId: string; quantity: number }>();
        expectTypeOf(context).toEqualTypeOf<HandlerContext>();
        expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
      },
    });
    expectTypeOf(consumer).toEqualTypeOf<Consumer>();
  });

  it("takes the body type from an explicit type argument, unknown by default", () => {
    createConsumer<{ id: number }>({
      source: new InMemoryQueue(),
      handler: (message) => {
        expectTypeOf(message).toEqualTypeOf<ConsumerMessage<{ id: number }>>();
      },
    });
    createConsumer({
      source: new InMemoryQueue(),
      handler: (message) => {
        expectTypeOf(message.body).toBeUnknown();
      },
    });
  });

  it("types every event payload and the state union", () => {
    const consumer = createConsumer({ source: new InMemoryQueue(), handler: () => {} });
    consumer.on("failed", (event) => {
      expectTypeOf(event).toEqualTypeOf<ConsumerEvents["failed"]>();
      expectTypeOf(event.action).toEqualTypeOf<"retry" | "deadLetter" | "handBack" | "abandon">();
    });
    expectTypeOf(consumer.state).toEqualTypeOf<ConsumerState>();
    expectTypeOf<ConsumerState>().toEqualTypeOf<"idle" | "running" | "paused" | "draining" | "stopped">();
    // @ts-expect-error: not an event of the consumer
    consumer.on("finished", () => {});
  });
});
