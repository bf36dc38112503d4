import { afterEach, describe, expect, it, vi } from "vitest";
import type { EncodedMessage } from "./encodeMessage.js";
import { encodeAll } from "./encodeMessage.js";
import { PartialPublishError } from "./errors.js";
import type { ChunkResult, ChunkSendConfig, SendChunk } from "./sendInChunks.js";
import { chunkMessages, sendInChunks } from "./sendInChunks.js";

const rules = { maxMessageBytes: 1_048_576, maxAttributes: 10, fifo: false };
const config: ChunkSendConfig = {
  maxBatchBytes: 1_048_576,
  attempts: 3,
  concurrency: 1,
  delayMs: (attempt) => 100 * attempt,
  isRetryable: (err) => (err as { retryable?: boolean }).retryable === true,
  target: "queue",
  fifo: false,
};

function messages(count: number, bodyBytes = 1): EncodedMessage[] {
  return encodeAll(
    Array.from({ length: count }, (_, i) => ({ body: "x".repeat(bodyBytes), correlationId: `c${i}` })),
    rules,
    undefined,
  );
}

/** A fake service: answers each entry through `decide`, records every request's entry ids. */
function fakeService(decide: (id: string, call: number) => "ok" | "server" | "sender") {
  const requests: string[][] = [];
  const send: SendChunk = async (entries) => {
    requests.push(entries.map((e) => e.id));
    const result: Required<ChunkResult> = { Successful: [], Failed: [] };
    for (const entry of entries) {
      const outcome = decide(entry.id, requests.length);
      if (outcome === "ok") result.Successful.push({ Id: entry.id, MessageId: `mid-${entry.id}` });
      else
        result.Failed.push({ Id: entry.id, Code: "InternalError", Message: "boom", SenderFault: outcome === "sender" });
    }
    return result;
  };
  return { send, requests };
}

/** Lets every ready promise callback run (one macrotask turn), so that the requests that can start have started. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A service whose answers the test releases one at a time (oldest first), to see how many requests overlap. */
function heldService() {
  const held: Array<() => void> = [];
  const send: SendChunk = (entries) =>
    new Promise<ChunkResult>((resolve) => {
      held.push(() => resolve({ Successful: entries.map((e) => ({ Id: e.id, MessageId: `mid-${e.id}` })) }));
    });
  return { send, inFlight: () => held.length, answerNext: () => held.shift()?.() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("chunkMessages", () => {
  it("splits at 10 entries", () => {
    const chunks = chunkMessages(messages(23), 1_048_576);

    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
  });

  it("splits before the byte limit, keeping order", () => {
    const all = messages(5, 300); // each 300 + "correlation-id"(14) + "String"(6) + 2 = 322 bytes
    const chunks = chunkMessages(all, 1_000);

    expect(chunks.map((c) => c.map((m) => m.index))).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    for (const chunk of chunks) expect(chunk.reduce((sum, m) => sum + m.sizeBytes, 0)).toBeLessThanOrEqual(1_000);
  });
});

describe("sendInChunks", () => {
  it("retries only the entries that failed with a server fault, after the backoff delay", async () => {
    vi.useFakeTimers();
    const service = fakeService((id, call) => (id === "m3" && call === 1 ? "server" : "ok"));

    const pending = sendInChunks(messages(5), service.send, config, undefined);
    await vi.advanceTimersByTimeAsync(99);
    expect(service.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const published = await pending;

    expect(service.requests).toEqual([["m0", "m1", "m2", "m3", "m4"], ["m3"]]);
    expect(published.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    expect(published[3]).toMatchObject({ id: "m3", messageId: "mid-m3", correlationId: "c3" });
  });

  it("does not retry entries the service blamed on the sender, and reports them in PartialPublishError", async () => {
    const service = fakeService((id) => (id === "m1" ? "sender" : "ok"));

    const error = await sendInChunks(messages(3), service.send, config, undefined).catch((err: unknown) => err);

    expect(service.requests).toEqual([["m0", "m1", "m2"]]);
    expect(error).toBeInstanceOf(PartialPublishError);
    const partial = error as PartialPublishError;
    expect(partial.successful.map((p) => p.id)).toEqual(["m0", "m2"]);
    expect(partial.failed).toEqual([
      { index: 1, id: "m1", correlationId: "c1", code: "InternalError", message: "boom", senderFault: true },
    ]);
  });

  it("gives up on an entry after `attempts` and keeps what was sent", async () => {
    vi.useFakeTimers();
    const service = fakeService((id) => (id === "m0" ? "server" : "ok"));

    const outcome = sendInChunks(messages(2), service.send, config, undefined).catch((err: unknown) => err);
    await vi.runAllTimersAsync();
    const error = (await outcome) as PartialPublishError;

    expect(service.requests).toEqual([["m0", "m1"], ["m0"], ["m0"]]);
    expect(error.successful.map((p) => p.id)).toEqual(["m1"]);
    expect(error.failed.map((f) => [f.id, f.senderFault])).toEqual([["m0", false]]);
  });

  it("retries a whole request whose error is retryable", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const send: SendChunk = async (entries) => {
      calls++;
      if (calls === 1) throw Object.assign(new Error("socket hang up"), { retryable: true });
      return { Successful: entries.map((e) => ({ Id: e.id, MessageId: e.id })) };
    };

    const pending = sendInChunks(messages(2), send, config, undefined);
    await vi.runAllTimersAsync();

    expect((await pending).map((p) => p.id)).toEqual(["m0", "m1"]);
    expect(calls).toBe(2);
  });

  it("stops at a non-retryable request error and reports the unsent chunks as failed", async () => {
    const denied = Object.assign(new Error("not allowed"), {
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    let calls = 0;
    const send: SendChunk = async () => {
      calls++;
      throw denied;
    };

    const error = (await sendInChunks(messages(15), send, config, undefined).catch(
      (err: unknown) => err,
    )) as PartialPublishError;

    expect(calls).toBe(1);
    expect(error.failed).toHaveLength(15);
    expect(error.successful).toHaveLength(0);
    expect(error.cause).toBe(denied);
    expect(error.failed[0]?.code).toBe("AccessDenied");
  });

  it("does not start a request after one failed for good; requests already in flight finish", async () => {
    const denied = Object.assign(new Error("not allowed"), {
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    let calls = 0;
    const send: SendChunk = async () => {
      calls++;
      throw denied;
    };

    // 45 messages: 5 requests, 2 at a time. The first two go out together; the other three never start.
    const error = (await sendInChunks(messages(45), send, { ...config, concurrency: 2 }, undefined).catch(
      (err: unknown) => err,
    )) as PartialPublishError;

    expect(calls).toBe(2);
    expect(error.failed).toHaveLength(45);
    expect(error.failed.map((f) => f.index)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(error.cause).toBe(denied);
  });

  it("keeps at most `concurrency` requests in flight on a standard target, and answers in message order", async () => {
    const { send, inFlight, answerNext } = heldService();

    const pending = sendInChunks(messages(45), send, { ...config, concurrency: 2 }, undefined);
    const maxInFlight: number[] = [];
    for (let answered = 0; answered < 5; answered++) {
      await settle();
      maxInFlight.push(inFlight());
      answerNext();
    }
    const published = await pending;

    expect(Math.max(...maxInFlight)).toBe(2);
    expect(published.map((p) => p.index)).toEqual(Array.from({ length: 45 }, (_, i) => i));
  });

  it("stops waiting for a retry when the signal aborts and reports the entry as failed", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const service = fakeService((id, call) => (id === "m0" && call === 1 ? "server" : "ok"));

    const outcome = sendInChunks(messages(2), service.send, config, controller.signal).catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const error = (await outcome) as PartialPublishError;

    expect(service.requests).toHaveLength(1);
    expect(error.failed.map((f) => [f.id, f.code])).toEqual([["m0", "Aborted"]]);
    expect(error.successful.map((p) => p.id)).toEqual(["m1"]);
  });

  describe("on FIFO", () => {
    const fifoConfig = { ...config, fifo: true };
    function fifoMessages(groups: string[]): EncodedMessage[] {
      return encodeAll(
        groups.map((groupId, i) => ({ body: `b${i}`, groupId, deduplicationId: `d${i}`, correlationId: `c${i}` })),
        { ...rules, fifo: true },
        undefined,
      );
    }

    it("does not retry a failed message once a later message of its group went out", async () => {
      vi.useFakeTimers();
      // m0 (group a) fails, m1 (group a) succeeds: retrying m0 would put it behind m1. m2 (group b) is retried.
      const service = fakeService((id, call) => ((id === "m0" || id === "m2") && call === 1 ? "server" : "ok"));

      const outcome = sendInChunks(fifoMessages(["a", "a", "b"]), service.send, fifoConfig, undefined).catch(
        (err: unknown) => err,
      );
      await vi.runAllTimersAsync();
      const error = (await outcome) as PartialPublishError;

      expect(service.requests).toEqual([["m0", "m1", "m2"], ["m2"]]);
      expect(error.failed.map((f) => [f.id, f.code])).toEqual([["m0", "FifoOrder"]]);
      expect(error.successful.map((p) => p.id)).toEqual(["m1", "m2"]);
    });

    it("does not send the later messages of a group whose message failed for good", async () => {
      // 12 messages: the first request holds m0-m9, the second m10-m11. m3 (group a) is refused.
      const groups = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? "b" : "a"));
      const service = fakeService((id) => (id === "m3" ? "sender" : "ok"));

      const error = (await sendInChunks(fifoMessages(groups), service.send, fifoConfig, undefined).catch(
        (err: unknown) => err,
      )) as PartialPublishError;

      expect(service.requests[1]).toEqual(["m10"]);
      expect(error.failed.map((f) => [f.id, f.code])).toEqual([
        ["m3", "InternalError"],
        ["m11", "FifoOrder"],
      ]);
    });

    it("sends one request at a time whatever `concurrency` says, so a group keeps its order", async () => {
      const { send, inFlight, answerNext } = heldService();

      const pending = sendInChunks(
        fifoMessages(Array(25).fill("a")),
        send,
        { ...fifoConfig, concurrency: 4 },
        undefined,
      );
      const seen: number[] = [];
      for (let answered = 0; answered < 3; answered++) {
        await settle();
        seen.push(inFlight());
        answerNext();
      }

      expect((await pending).map((p) => p.id)).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
      expect(seen).toEqual([1, 1, 1]);
    });

    it("retries a failed message whose group has nothing later in the request", async () => {
      vi.useFakeTimers();
      const service = fakeService((id, call) => (id === "m1" && call === 1 ? "server" : "ok"));

      const pending = sendInChunks(fifoMessages(["a", "a"]), service.send, fifoConfig, undefined);
      await vi.runAllTimersAsync();

      expect((await pending).map((p) => p.id)).toEqual(["m0", "m1"]);
      expect(service.requests).toEqual([["m0", "m1"], ["m1"]]);
    });
  });
});
