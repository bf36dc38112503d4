/**
 * Recognises an error that says the downstream throttles (HTTP 429, an AWS throttling error) and how long it asks
 * the caller to wait. The consumer pauses as a whole on these: every other call would be throttled too.
 */

/** How deep a `cause` chain is searched. */
const MAX_CAUSE_DEPTH = 5;
/** The wait when a throttling error names none. */
export const DEFAULT_THROTTLE_WAIT_MS = 1_000;
/** A `Retry-After` longer than this is not taken at its word (a misconfigured server must not stop the consumer). */
const MAX_THROTTLE_WAIT_MS = 60_000;

/**
 * Milliseconds the downstream asks to wait, when `error` (or a cause) is a throttling error: its `retryAfterMs`,
 * a `Retry-After` header (seconds or an HTTP date), or {@link DEFAULT_THROTTLE_WAIT_MS}; undefined otherwise.
 */
export function throttleWaitOf(error: unknown, now: number): number | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === "object" && current !== null; depth++) {
    if (isThrottling(current)) return Math.min(MAX_THROTTLE_WAIT_MS, waitOf(current, now) ?? DEFAULT_THROTTLE_WAIT_MS);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isThrottling(error: object): boolean {
  const e = error as {
    name?: unknown;
    code?: unknown;
    status?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: { throttling?: unknown };
    response?: { status?: unknown };
  };
  if (e.$retryable?.throttling === true) return true;
  const status = e.$metadata?.httpStatusCode ?? e.status ?? e.statusCode ?? e.response?.status;
  if (status === 429) return true;
  return [e.name, e.code].some((n) => typeof n === "string" && /throttl|toomanyrequests|slowdown/i.test(n));
}

function waitOf(error: object, now: number): number | undefined {
  const e = error as { retryAfterMs?: unknown; headers?: unknown; response?: { headers?: unknown } };
  if (typeof e.retryAfterMs === "number" && e.retryAfterMs >= 0) return e.retryAfterMs;
  const header = headerOf(e.headers) ?? headerOf(e.response?.headers);
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `retry-after` from a plain object or a `Headers`. */
function headerOf(headers: unknown): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get("retry-after") ?? undefined;
  const record = headers as Record<string, unknown>;
  const value = record["retry-after"] ?? record["Retry-After"];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
