/**
 * The consumer's `decode` option (the decoder values the Lambda handlers take), its default, its conflict with the
 * deprecated `format`, `unwrapSns` and `schema`, and those options still working as they did.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { json, parseWith, text } from "../decode/formats.js";
import { snsEnvelope } from "../decode/snsEnvelope.js";
import { snsNotificationBody, TEST_TOPIC_ARN } from "../decode/snsTestKit.js";
import { withSchema } from "../decode/withSchema.js";
import { InvalidOptionError } from "../errors.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumer } from "./createConsumer.js";
import type { ConsumerOptions } from "./options.js";
import { createIdleSource, tick, useStartedConsumer } from "./testKit.js";
import type { ConsumerMessage } from "./types.js";

const Order = z.object({ orderId: z.string(), quantity: z.coerce.number().int().min(1) });

const envelope = (message: string) => snsNotificationBody(message);

/** What a handler saw of a message. */
type Seen = Pick<ConsumerMessage<unknown>, "body" | "sns">;

/** Sends `bodies`, runs a consumer with `options` over them: what its handler saw, what was dead-lettered. */
async function run(
  start: ReturnType<typeof useStartedConsumer>,
  bodies: string[],
  options: Partial<ConsumerOptions<unknown>>,
) {
  const queue = new InMemoryQueue();
  for (const body of bodies) queue.send(body);
  const seen: Seen[] = [];
  const deadLettered: string[] = [];
  const consumer = start(queue, { ...options, handler: async ({ body, sns }) => void seen.push({ body, sns }) });
  consumer.on("deadLettered", (event) => deadLettered.push(event.reason.code));
  await tick();
  return { seen, deadLettered };
}

describe("the consumer's decode option", () => {
  const start = useStartedConsumer();

  it("decodes with the decoder given: withSchema types and validates the body", async () => {
    const queue = new InMemoryQueue();
    queue.send(JSON.stringify({ orderId: "o-1", quantity: "2" }));
    const bodies: Array<{ orderId: string; quantity: number }> = [];
    start(queue, { decode: withSchema(Order), handler: async (message) => void bodies.push(message.body) });

    await tick();

    expect(bodies).toEqual([{ orderId: "o-1", quantity: 2 }]); // the schema's output: "2" coerced
  });

  // One consumer per test: the started-consumer kit stops only the last one it started.
  it.each([
    ["`json` leaves an SNS envelope as the body", json, envelope("{}"), JSON.parse(envelope("{}"))],
    ["`text` reads a body as the string it is", text, "a,b", "a,b"],
    ["`parseWith` reads a body with the function given", parseWith((b) => b.split(",")), "a,b", ["a", "b"]],
  ] as const)("uses the decoder as given: %s", async (_name, decode, body, expected) => {
    const { seen } = await run(start, [body], { decode: decode as ConsumerOptions<unknown>["decode"] });

    expect(seen).toEqual([{ body: expected, sns: undefined }]);
  });

  it("unwraps SNS envelopes by default and passes other bodies through, as before `decode` existed", async () => {
    const { seen } = await run(start, [envelope('{"orderId":"o-1"}'), '{"orderId":"o-2"}'], {});

    expect(seen).toEqual([
      { body: { orderId: "o-1" }, sns: expect.objectContaining({ topicArn: TEST_TOPIC_ARN, messageId: "sns-1" }) },
      { body: { orderId: "o-2" }, sns: undefined },
    ]);
  });

  it("unwraps with snsEnvelope inside withSchema, as Lambda's sqsHandler is told to", async () => {
    const { seen, deadLettered } = await run(start, [envelope('{"orderId":"o-1","quantity":3}'), envelope("{}")], {
      decode: withSchema(Order, snsEnvelope(json)),
    });

    expect(seen).toEqual([
      { body: { orderId: "o-1", quantity: 3 }, sns: expect.objectContaining({ topicArn: TEST_TOPIC_ARN }) },
    ]);
    expect(deadLettered).toEqual(["VALIDATION_FAILED"]);
  });
});

describe("the deprecated format, unwrapSns and schema", () => {
  const start = useStartedConsumer();

  it.each([
    ["format text, within SNS envelopes too", { format: "text" }, [envelope("plain"), "raw"], ["plain", "raw"]],
    [
      "unwrapSns false, leaving envelopes as they are",
      { unwrapSns: false },
      [envelope("{}")],
      [JSON.parse(envelope("{}"))],
    ],
    [
      "schema, after unwrapping",
      { schema: Order },
      [envelope('{"orderId":"o-1","quantity":"4"}')],
      [{ orderId: "o-1", quantity: 4 }],
    ],
  ] as const)("still decode as before: %s", async (_name, options, bodies, expected) => {
    const { seen } = await run(start, [...bodies], options as Partial<ConsumerOptions<unknown>>);
    expect(seen.map(({ body }) => body)).toEqual(expected);
  });
});

describe("decode at construction", () => {
  const construct = (options: Partial<ConsumerOptions<unknown>>) => () =>
    createConsumer({ source: createIdleSource(), handler: async () => {}, ...options });
  const optionError = (options: Partial<ConsumerOptions<unknown>>): InvalidOptionError => {
    try {
      construct(options)();
    } catch (error) {
      if (error instanceof InvalidOptionError) return error;
      throw error;
    }
    throw new Error("expected an InvalidOptionError");
  };

  it.each([
    ["format", { format: "text" }, "snsEnvelope(text)"],
    ["unwrapSns", { unwrapSns: false }, "snsEnvelope(...)"],
    // An explicit default counts too: it would be ignored all the same.
    ["unwrapSns", { unwrapSns: true }, "snsEnvelope(...)"],
    ["schema", { schema: Order }, "withSchema(schema, snsEnvelope(json))"],
  ] as const)("refuses %s given together with decode, naming both and where it goes", (option, given, hint) => {
    const error = optionError({ decode: json, ...given } as Partial<ConsumerOptions<unknown>>);

    expect(error.option).toBe(option);
    expect(error.message).toContain(`\`${option}\` to be left out when \`decode\` is given`);
    expect(error.message).toContain(hint);
  });

  it.each([["json"], [{}], [null]])("refuses a decode that is not a decoder (%j), listing the decoders", (value) => {
    const error = optionError({ decode: value as never });

    expect(error.option).toBe("decode");
    expect(error.message).toMatch(/^Expected `decode` to be a decoder: json, text, parseWith\(parse\), snsEnvelope/);
    expect(error.message).toContain("withSchema(schema, from?)");
  });

  it("accepts every decoder value, and a deprecated option alone", () => {
    for (const decode of [json, text, snsEnvelope(text), withSchema(Order), withSchema(Order, snsEnvelope(json))]) {
      expect(construct({ decode: decode as never })).not.toThrow();
    }
    expect(construct({ schema: Order, unwrapSns: false, format: "json" })).not.toThrow();
  });
});
