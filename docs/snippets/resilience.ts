// The snippets of docs/resilience.md, as one runnable program (type-checked in CI; a test checks that every
// TypeScript block of the page appears here verbatim). It simulates the dependency, so it needs no network.
import {
  backoffDelay,
  CircuitOpenError,
  classifyError,
  createCircuitBreaker,
  isRetryable,
  PermanentError,
  RetriesExhaustedError,
  retry,
  withTimeout,
} from "@resilient-jobs/core";

/** A stand-in for an HTTP call to a payment provider: answers 503 while `outage` is on, honours its signal. */
const paymentApi = { outage: 0, calls: 0 };
async function charge(orderId: string, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  paymentApi.calls++;
  if (paymentApi.outage > 0) {
    paymentApi.outage--;
    throw Object.assign(new Error("Service Unavailable"), { status: 503 });
  }
  return `receipt for ${orderId}`;
}

// --- backoff
// Full jitter, base 100 ms, cap 20 s (the defaults); attempt 0 is the first retry.
for (let attempt = 0; attempt < 4; attempt++) {
  console.log(`retry ${attempt + 1}: wait ${Math.round(backoffDelay(attempt))} ms`);
}
// SQS speaks whole seconds: round up when a delay becomes a VisibilityTimeout.
const visibilityTimeoutSeconds = Math.ceil(backoffDelay(6, { strategy: "equal" }) / 1000);
console.log(`hand the message back for ${visibilityTimeoutSeconds} s`);

// --- retry
paymentApi.outage = 2;
const receipt = await retry(({ signal }) => charge("order-1", signal), {
  attempts: 4,
  backoff: { strategy: "full", baseMs: 50, capMs: 1_000 },
  onRetry: ({ attempt, delayMs, error }) =>
    console.log(`attempt ${attempt} failed (${classifyError(error)}); retrying in ${Math.round(delayMs)} ms`),
});
console.log(receipt); // "receipt for order-1", on the third attempt

// --- classification
console.log(isRetryable(Object.assign(new Error("Too Many Requests"), { status: 429 }))); // true
console.log(isRetryable(new PermanentError("card declined"))); // false: rethrown at once, never retried
try {
  paymentApi.outage = 5;
  await retry(({ signal }) => charge("order-2", signal), { attempts: 2, backoff: { baseMs: 10 } });
} catch (error) {
  if (error instanceof RetriesExhaustedError) console.log(`gave up after ${error.errors.length} attempts`);
}
paymentApi.outage = 0;

// --- timeouts
// Each layer's budget must exceed everything it waits for (caller timeout > callee timeout).
const VISIBILITY_TIMEOUT_MS = 60_000; // the queue hides a received message this long
const HANDLER_TIMEOUT_MS = 30_000; // one job, retries included
const HTTP_TIMEOUT_MS = 5_000; // one call to the payment API
const ATTEMPTS = 3;
const BACKOFF = { strategy: "full", baseMs: 200, capMs: 2_000 } as const;

// Worst case of the retry loop: every attempt times out and every wait is at its ceiling.
let worstCaseMs = ATTEMPTS * HTTP_TIMEOUT_MS;
for (let retryIndex = 0; retryIndex < ATTEMPTS - 1; retryIndex++) {
  worstCaseMs += backoffDelay(retryIndex, { ...BACKOFF, strategy: "none" });
}
if (!(worstCaseMs < HANDLER_TIMEOUT_MS && HANDLER_TIMEOUT_MS < VISIBILITY_TIMEOUT_MS)) {
  throw new Error(`timeouts out of order: ${worstCaseMs} / ${HANDLER_TIMEOUT_MS} / ${VISIBILITY_TIMEOUT_MS} ms`);
}

function handleOrder(orderId: string, shutdown: AbortSignal): Promise<string> {
  return withTimeout(
    (jobSignal) =>
      retry(({ signal }) => withTimeout((callSignal) => charge(orderId, callSignal), HTTP_TIMEOUT_MS, { signal }), {
        attempts: ATTEMPTS,
        backoff: BACKOFF,
        signal: jobSignal,
      }),
    HANDLER_TIMEOUT_MS,
    { signal: shutdown },
  );
}
console.log(await handleOrder("order-3", new AbortController().signal), `(worst case ${worstCaseMs} ms)`);

// --- circuit breaker
const payments = createCircuitBreaker((orderId: string) => withTimeout((s) => charge(orderId, s), HTTP_TIMEOUT_MS), {
  name: "payments",
  volumeThreshold: 3, // judge only after 3 calls in the window
  errorThresholdPercentage: 50, // then open when more than half of them failed
  resetTimeoutMs: 200, // let a probe through 200 ms after opening
});
payments.onStateChange((state) => console.log(`payments circuit: ${state}`));

paymentApi.outage = 3;
for (const orderId of ["order-4", "order-5", "order-6"]) await payments.execute(orderId).catch(() => undefined);
try {
  await payments.execute("order-7"); // fails fast: the payment API is not called
} catch (error) {
  if (error instanceof CircuitOpenError) {
    console.log(`"${error.breakerName}" is open; retry after ${new Date(error.halfOpenAt).toISOString()}`);
  }
}
await new Promise((resolve) => setTimeout(resolve, 250)); // past resetTimeoutMs: the next call is the probe
console.log(await payments.execute("order-8"), payments.state); // the probe succeeds: "closed"
payments.shutdown();
