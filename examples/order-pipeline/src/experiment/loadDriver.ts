import { Agent, request } from "node:http";

/** How one request ended, from the customer's side. */
export type RequestOutcome = "ok" | "http-error" | "timeout" | "network-error";

/** One request a simulated customer sent. Times are real milliseconds since the load started. */
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

/** Options of {@link driveClosedLoop}. Every duration is real milliseconds (already time-scaled). */
export interface ClosedLoopOptions {
  /** The endpoint each customer POSTs to. */
  readonly url: string;
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
  const [thinkMin, thinkMax] = options.thinkMs;
  const target = new URL(options.url);
  // One kept-alive connection per customer, as a browser would hold: connection set-up stays out of the
  // figures, which at small time scales would otherwise swamp the scaled durations.
  const agent = new Agent({ keepAlive: true, maxSockets: users });
  const records: RequestRecord[] = [];
  const origin = performance.now();
  const elapsed = () => performance.now() - origin;

  const customer = async (user: number) => {
    const body = Buffer.from(JSON.stringify(options.body(user)));
    // One clock reading decides and dates each request: read twice, a request could start after the window.
    for (let startMs = elapsed(); startMs < durationMs; startMs = elapsed()) {
      records.push(await post(target, body, agent, timeoutMs, user, startMs, elapsed));
      const thinkMs = thinkMin + random() * (thinkMax - thinkMin);
      if (elapsed() + thinkMs >= durationMs) break;
      await new Promise((resolve) => setTimeout(resolve, thinkMs));
    }
  };
  try {
    await Promise.all(Array.from({ length: users }, (_, user) => customer(user)));
  } finally {
    agent.destroy();
  }
  return { durationMs, records };
}

function post(
  target: URL,
  body: Buffer,
  agent: Agent,
  timeoutMs: number,
  user: number,
  startMs: number,
  elapsed: () => number,
): Promise<RequestRecord> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: RequestOutcome, status?: number, orderId?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ user, startMs, endMs: elapsed(), outcome, status, orderId });
    };
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
    // Giving up closes the connection, as a customer closing the tab does: the server sees it go.
    const timer = setTimeout(() => {
      finish("timeout");
      req.destroy();
    }, timeoutMs);
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
