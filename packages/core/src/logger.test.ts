import { describe, expect, it } from "vitest";
import { DecodeError } from "./errors.js";
import { createJsonLogger, type Logger, silentLogger, withFields } from "./logger.js";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({
    level,
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    write: (line) => lines.push(JSON.parse(line)),
  });
  return { logger, lines };
}

describe("createJsonLogger", () => {
  it("writes one JSON object per line with level, time, message and fields", () => {
    const { logger, lines } = capture();

    logger.info("order placed", { orderId: "o-1" });

    expect(lines).toEqual([{ level: "info", time: "2026-01-02T03:04:05.000Z", msg: "order placed", orderId: "o-1" }]);
  });

  it("drops lines below its level", () => {
    const { logger, lines } = capture("warn");

    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");

    expect(lines.map((line) => line.level)).toEqual(["warn", "error"]);
  });

  it("writes errors as name, message and code, leaving out a missing code and the stack", () => {
    const { logger, lines } = capture();

    logger.error("failed", { error: new DecodeError("bad body"), cause: new TypeError("boom") });

    expect(lines[0]?.error).toEqual({ name: "DecodeError", message: "bad body", code: "DECODE_FAILED" });
    expect(lines[0]?.cause).toEqual({ name: "TypeError", message: "boom" });
  });

  it("adds a child's fields to every line, keeping the parent's level", () => {
    const { logger, lines } = capture("info");

    const child = logger.child?.({ messageId: "m-1" });
    child?.debug("hidden");
    child?.info("seen", { attempt: 2 });

    expect(lines).toEqual([expect.objectContaining({ msg: "seen", messageId: "m-1", attempt: 2 })]);
  });
});

describe("withFields", () => {
  it("wraps a logger that has no child method", () => {
    const calls: unknown[][] = [];
    const plain: Logger = {
      debug: (...args) => calls.push(["debug", ...args]),
      info: (...args) => calls.push(["info", ...args]),
      warn: (...args) => calls.push(["warn", ...args]),
      error: (...args) => calls.push(["error", ...args]),
    };

    const logger = withFields(plain, { requestId: "r-1" });
    logger.warn("slow", { ms: 5 });
    logger.error("down");

    expect(calls).toEqual([
      ["warn", "slow", { requestId: "r-1", ms: 5 }],
      ["error", "down", { requestId: "r-1" }],
    ]);
  });

  it("keeps the silent logger silent", () => {
    expect(withFields(silentLogger, { a: 1 })).toBe(silentLogger);
  });
});
