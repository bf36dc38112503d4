import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { parseWith, text } from "../decode/formats.js";
import { snsEnvelope } from "../decode/snsEnvelope.js";
import { withSchema } from "../decode/withSchema.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumer } from "./createConsumer.js";
import type { ConsumerEvents } from "./events.js";
import type { Consumer, ConsumerMessage, ConsumerState, HandlerContext } from "./types.js";

// Type tests: checked by `tsc` (the root tsconfig includes tests); the runtime part only constructs.
describe("createConsumer types", () => {
  it("infers the body type from the deprecated schema", () => {
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

  // Inline handlers beside a decoder factory's call: inferred only because `Decoder` is not a function type.
  it("infers the body type from the decoder", () => {
    const orderSchema = z.object({ orderId: z.string(), quantity: z.coerce.number() });
    createConsumer({
      source: new InMemoryQueue(),
      decode: withSchema(orderSchema),
      handler: (message) => {
        // The schema's output: `quantity` is a number even though the JSON may carry a string.
        expectTypeOf(message.body).toEqualTypeOf<{ orderId: string; quantity: number }>();
      },
    });
    createConsumer({
      source: new InMemoryQueue(),
      decode: withSchema(orderSchema, snsEnvelope(text)),
      handler: (message) => {
        expectTypeOf(message.body).toEqualTypeOf<{ orderId: string; quantity: number }>();
      },
    });
    createConsumer({
      source: new InMemoryQueue(),
      decode: snsEnvelope(text),
      handler: (message) => {
        expectTypeOf(message.body).toEqualTypeOf<string>();
      },
    });
    createConsumer({
      source: new InMemoryQueue(),
      decode: parseWith((body) => new URLSearchParams(body)),
      handler: (message) => {
        expectTypeOf(message.body).toEqualTypeOf<URLSearchParams>();
      },
    });
    createConsumer({
      source: new InMemoryQueue(),
      // @ts-expect-error: the decoder must give the body type the handler takes
      decode: withSchema(orderSchema),
      handler: (_message: ConsumerMessage<{ sku: string }>) => {},
    });
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
