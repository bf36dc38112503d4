import { Agent, request } from "node:http";
import { type Clock, InvalidOptionError, systemClock } from "@resilient-jobs/core";

/** How one request ended, from the customer's side. */
export type RequestOutcome = "ok" | "http-error" | "timeout" | "network-error";

/** One request a simulated customer sent. Times are milliseconds of the driver's clock since the load started. */
export interface RequestRecord {
  readonly user: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: RequestOutcome;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** The `orderId` of the answer's JSON body, when it had one. */
  readonly orderId?: string;
}

/** An answer to an order sent in process: the HTTP status the API would give, and the order id. */
export interface InProcessAnswer {
  readonly status: number;
  readonly orderId?: string;
}

/** Sends one order in process (no HTTP); `signal` aborts when the customer gives up. */
export type SendOrder = (body: unknown, signal: AbortSignal) => Promise<InProcessAnswer>;

/** Options of {@link driveClosedLoop}. Every duration is milliseconds of `clock` (already time-scaled). */
export interface ClosedLoopOptions {
  /** The endpoint each customer POSTs to; give this or `send`. */
  readonly url?: string;
  /**
   * Sends each order in process instead of over HTTP; give this or `url`. A virtual clock needs it: a socket's
   * I/O takes real time the clock cannot see.
   */
  readonly send?: SendOrder;
  /** Concurrent customers, each with at most one request outstanding. */
  readonly users: number;
  /** No customer starts a request after this long; requests under way still finish or time out. */
  readonly durationMs: number;
  /** A customer's pause between an answer and its next request, drawn uniformly from [min, max]. */
  readonly thinkMs: readonly [min: number, max: number];
  /** A customer gives up on an answer after this long (the request is aborted and counts as a timeout). */
  readonly timeoutMs: number;
  /** The JSON body customer `user` sends (built once per customer). */
  readonly body: (user: number) => unknown;
  /** Random numbers in [0, 1) for think times. @defaultValue `Math.random` */
  readonly random?: () => number;
  /** What the window, think times and timeouts run on. @defaultValue `systemClock` */
  readonly clock?: Clock;
}

/** What a closed-loop run measured. */
export interface ClosedLoopResult {
  /** The window in which requests were started, in real milliseconds. */
  readonly durationMs: number;
  /** Every request, in the order they ended. */
  readonly records: readonly RequestRecord[];
}

/**
 * Drives `url` like the study's load tool: `users` customers in a closed loop, each sending a request,
 * waiting for the answer (or giving up after `timeoutMs`), thinking, and sending again until `durationMs`
 * has passed. A closed loop is what makes Little's law apply: the users, not a fixed arrival rate, set the
 * load, so a slow endpoint slows its own arrivals.
 */
export async function driveClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { users, durationMs, timeoutMs } = options;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? systemClock;
  const [thinkMin, thinkMax] = options.thinkMs;
  if ((options.url === undefined) === (options.send === undefined)) {
    throw new InvalidOptionError("url", "either `url` or `send`, not both", options.url);
  }
  // One kept-alive connection per customer, as a browser would hold: connection set-up stays out of the
  // figures, which at small time scales would otherwise swamp the scaled durations.
  const agent = options.url === undefined ? undefined : new Agent({ keepAlive: true, maxSockets: users });
  const records: RequestRecord[] = [];
  const origin = clock.now();
  const elapsed = () => clock.now() - origin;
  const attempt = (body: unknown, user: number, startMs: number): Promise<RequestRecord> => {
    const request: Attempt = { clock, timeoutMs, user, startMs, elapsed };
    return options.send === undefined
      ? post(new URL(options.url!), Buffer.from(JSON.stringify(body)), agent!, request)
      : sendInProcess(options.send, body, request);
  };

  const customer = async (user: number) => {
    const body = options.body(user);
    // One clock reading decides and dates each request: read twice, a request could start after the window.
    for (let startMs = elapsed(); startMs < durationMs; startMs = elapsed()) {
      records.push(await attempt(body, user, startMs));
      const thinkMs = thinkMin + random() * (thinkMax - thinkMin);
      if (elapsed() + thinkMs >= durationMs) break;
      await clock.sleep(thinkMs);
    }
  };
  try {
    await Promise.all(Array.from({ length: users }, (_, user) => customer(user)));
  } finally {
    agent?.destroy();
  }
  return { durationMs, records };
}

/** One customer's request: when it started, and when the customer gives up. */
interface Attempt {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly user: number;
  readonly startMs: number;
  readonly elapsed: () => number;
}

/** Settles a request once: its answer, its error, or the customer's timeout, whichever comes first. */
function settleOnce(attempt: Attempt, resolve: (record: RequestRecord) => void, onTimeout: () => void) {
  const { clock, user, startMs, elapsed } = attempt;
  let settled = false;
  const finish = (outcome: RequestOutcome, status?: number, orderId?: string) => {
    if (settled) return;
    settled = true;
    clock.clearTimeout(timer);
    resolve({ user, startMs, endMs: elapsed(), outcome, status, orderId });
  };
  const timer = clock.setTimeout(() => {
    finish("timeout");
    onTimeout();
  }, attempt.timeoutMs);
  return finish;
}

function sendInProcess(send: SendOrder, body: unknown, attempt: Attempt): Promise<RequestRecord> {
  return new Promise((resolve) => {
    const controller = new AbortController();
    const finish = settleOnce(attempt, resolve, () => controller.abort(new Error("the customer gave up")));
    send(body, controller.signal).then(
      ({ status, orderId }) => finish(status >= 200 && status < 300 ? "ok" : "http-error", status, orderId),
      () => finish("network-error"),
    );
  });
}

function post(target: URL, body: Buffer, agent: Agent, attempt: Attempt): Promise<RequestRecord> {
  return new Promise((resolve) => {
    // Giving up closes the connection, as a customer closing the tab does: the server sees it go.
    const finish = settleOnce(attempt, resolve, () => req.destroy());
    const req = request(
      target,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          finish(status >= 200 && status < 300 ? "ok" : "http-error", status, orderIdOf(chunks));
        });
        res.on("error", () => finish("network-error"));
      },
    );
    req.on("error", () => finish("network-error"));
    req.end(body);
  });
}

function orderIdOf(chunks: readonly Buffer[]): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "orderId" in parsed && typeof parsed.orderId === "string") {
      return parsed.orderId;
    }
  } catch {
    // Not JSON: the record keeps its status only.
  }
  return undefined;
}
