/**
 * Bad input against the order API, generated: random bytes, malformed JSON, schema-violating orders, oversize
 * bodies, bad Idempotency-Key headers, wrong methods and paths. Each must get a 4xx whose JSON names the
 * problem (a stable `error` code, a message, the fields at fault); none may publish an order or stop the server.
 */
import { Agent, request } from "node:http";
import { silentLogger } from "@resilient-jobs/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemoryBackend } from "../backends/memoryBackend.js";
import { type RunningPipeline, startPipeline } from "../pipeline.js";
import { orderRequest } from "../testing/fixtures.js";

let pipeline: RunningPipeline;
let topic: MemoryBackend["topic"];

beforeAll(async () => {
  pipeline = await startPipeline({ timeScale: 0.01, logger: silentLogger });
  topic = (pipeline.backend as MemoryBackend).topic;
});

afterAll(async () => {
  await pipeline.stop();
});

interface Answer {
  status: number;
  body: { error?: string; message?: string; issues?: Array<{ field: string; message: string }> };
}

/** POSTs through `agent` (false: a connection of its own, closed after), failing after `timeoutMs`. */
function postWith(agent: Agent | false, body: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${pipeline.apiUrl}/orders/async`,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer["body"] }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

async function post(body: string | Uint8Array, headers: Record<string, string> = {}, path = "/orders/async") {
  const res = await fetch(`${pipeline.apiUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] } satisfies Answer;
}

/** Orders broken in one way each; all must fail the schema. */
const invalidOrder = fc.oneof(
  fc.oneof(fc.constant(""), fc.string({ minLength: 65, maxLength: 200 }), fc.integer()).map((customerId) => ({
    ...orderRequest(),
    customerId,
  })),
  fc
    .constantFrom(
      [],
      Array.from({ length: 51 }, () => orderRequest().items[0]),
    )
    .map((items) => ({
      ...orderRequest(),
      items,
    })),
  fc.oneof(fc.constantFrom(0, 101, -1, 1.5), fc.string()).map((quantity) => ({
    ...orderRequest(),
    items: [{ sku: "sneaker", quantity, unitPriceCents: 100 }],
  })),
  fc.string({ minLength: 1, maxLength: 10 }).map((currency) => ({ ...orderRequest(), currency: `X${currency}` })),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((key) => !["customerId", "items", "currency", "__proto__"].includes(key))
    .map((key) => ({ ...orderRequest(), [key]: true })),
  fc.oneof(fc.array(fc.jsonValue()), fc.string(), fc.integer(), fc.constant(null), fc.boolean()),
);

describe("order API with bad input", () => {
  it("answers 400 INVALID_JSON or VALIDATION_FAILED to random bytes", async () => {
    const before = topic.published;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 500 }), async (bytes) => {
        const answer = await post(bytes);

        expect(answer.status).toBe(400);
        expect(["INVALID_JSON", "VALIDATION_FAILED"]).toContain(answer.body.error);
        expect(answer.body.message).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
    expect(topic.published).toBe(before);
  });

  it("answers 400 INVALID_JSON to a valid order cut short or with a stray character", async () => {
    const text = JSON.stringify(orderRequest());
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 1, max: text.length - 1 }).map((cut) => text.slice(0, cut)),
          fc
            .tuple(fc.integer({ min: 0, max: text.length }), fc.constantFrom("{", "}", ",", "]", "\\x", "'"))
            .map(([at, junk]) => text.slice(0, at) + junk + text.slice(at))
            .filter((body) => {
              try {
                JSON.parse(body);
                return false;
              } catch {
                return true;
              }
            }),
        ),
        async (body) => {
          const answer = await post(body);

          expect([answer.status, answer.body.error]).toEqual([400, "INVALID_JSON"]);
          expect(answer.body.message).toContain("not valid JSON");
        },
      ),
      { numRuns: 150 },
    );
  });

  it("answers 400 VALIDATION_FAILED naming every field at fault to a schema-violating order", async () => {
    const before = topic.published;
    await fc.assert(
      fc.asyncProperty(invalidOrder, async (order) => {
        const answer = await post(JSON.stringify(order));

        expect([answer.status, answer.body.error]).toEqual([400, "VALIDATION_FAILED"]);
        expect(answer.body.issues?.length).toBeGreaterThan(0);
        for (const issue of answer.body.issues ?? []) {
          expect(issue.field).not.toBe("");
          expect(issue.message).not.toBe("");
          expect(answer.body.message).toContain(issue.field);
        }
      }),
      { numRuns: 200 },
    );
    expect(topic.published).toBe(before);
  });

  it("answers 413 BODY_TOO_LARGE to a body over 64 KiB (one connection per request)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 64 * 1024 + 1, max: 2 * 1024 * 1024 }), async (size) => {
        const answer = await postWith(false, JSON.stringify({ ...orderRequest(), customerId: "x".repeat(size) }));

        expect([answer.status, answer.body.error]).toEqual([413, "BODY_TOO_LARGE"]);
        expect(answer.body.message).toContain("65536 bytes");
      }),
      { numRuns: 15 },
    );
  });

  // Found by this suite: a 413 used to leave the connection open with the rest of the body unread, so the next
  // request on that keep-alive connection hung. The server now closes the connection after a 413.
  it("answers every request on a keep-alive connection after a 413", async () => {
    // A pool of its own, so the connection the bug leaves behind cannot reach the other tests.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const oversize = "x".repeat(1_000_000);
    const statuses: Array<number | string> = [];
    try {
      for (let i = 0; i < 3; i++) {
        for (const body of [oversize, JSON.stringify(orderRequest())]) {
          statuses.push(
            await postWith(agent, body, 2_000).then(
              (answer) => answer.status,
              (error: Error) => error.message,
            ),
          );
        }
      }
    } finally {
      agent.destroy();
    }

    expect(statuses).toEqual([413, 202, 413, 202, 413, 202]);
  });

  it("answers 400 INVALID_IDEMPOTENCY_KEY to a key that is too long or not printable ASCII", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: fc.constantFrom("a", "Z", "9", "-"), minLength: 256, maxLength: 400 }),
          fc.string({ minLength: 1, maxLength: 20 }).map((key) => `key ${key}`),
          fc.constantFrom("\t", "key\u00e9"),
        ),
        async (key) => {
          const answer = await post(JSON.stringify(orderRequest()), { "idempotency-key": key });

          expect([answer.status, answer.body.error]).toEqual([400, "INVALID_IDEMPOTENCY_KEY"]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("answers 404 or 405 to other methods and paths", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "PUT", "DELETE", "PATCH"),
        fc.constantFrom("/orders/async", "/orders/sync", "/orders", "/", "/orders/not-an-id", "/health/x"),
        async (method, path) => {
          const res = await fetch(`${pipeline.apiUrl}${path}`, { method });
          const body = (await res.json()) as Answer["body"];

          expect([404, 405]).toContain(res.status);
          expect(["NOT_FOUND", "METHOD_NOT_ALLOWED"]).toContain(body.error);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("still accepts a valid order after all of that", async () => {
    const answer = await post(JSON.stringify(orderRequest()));

    expect(answer.status).toBe(202);
  });
});
