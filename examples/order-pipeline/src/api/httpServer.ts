/**
 * The order API on node:http:
 * - `POST /orders/sync`  charges inline; the customer waits for the gateway (the study's "before").
 * - `POST /orders/async` validates, stores PENDING, publishes `order.placed`, answers 202 at once.
 * - `GET /orders/:id`    status and history.
 * - `GET /health`        liveness plus what the workers report.
 * An `Idempotency-Key` header makes a repeated POST return the first answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CircuitOpenError,
  hasErrorCode,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  type Logger,
} from "@resilient-jobs/core";
import type { OrderStore } from "../orders/OrderStore.js";
import { orderRequestSchema } from "../orders/orderSchema.js";
import { inSpan, SpanKind } from "../telemetry/tracing.js";
import type { OrderService } from "./orderService.js";

/** Options of {@link startOrderApi}. */
export interface OrderApiOptions {
  service: OrderService;
  orders: OrderStore;
  /** Extra fields of `GET /health` (backend, consumers' state, breaker). */
  health: () => Record<string, unknown>;
  logger: Logger;
  /** Port on 127.0.0.1; 0 picks a free one. @defaultValue 0 */
  port?: number;
}

/** A listening order API. */
export interface OrderApi {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>;
}

/** Largest request body accepted. */
const MAX_BODY_BYTES = 64 * 1024;
const ORDER_PATH = /^\/orders\/([0-9a-f-]{36})$/;
/** Idempotency keys: printable ASCII, as Stripe's. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Starts the API on loopback. */
export async function startOrderApi(options: OrderApiOptions): Promise<OrderApi> {
  const { logger } = options;
  const server: Server = createServer((req, res) => {
    const handle = () => route(options, req, res);
    // With tracing on (npm start -- --trace), an order's trace starts at its request.
    const path = (req.url ?? "/").split("?")[0];
    const handled = req.method === "POST" ? inSpan(`POST ${path}`, SpanKind.SERVER, handle) : handle();
    handled.catch((error: unknown) => sendError(res, error, logger));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(options: OrderApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const method = req.method ?? "GET";
  if (path === "/orders/async" || path === "/orders/sync") {
    if (method !== "POST") throw new HttpError(405, "METHOD_NOT_ALLOWED", `Use POST on ${path}`);
    const request = parseOrder(await readJson(req));
    const key = idempotencyKeyOf(req);
    if (path === "/orders/async") {
      const accepted = await options.service.placeAsync(request, key);
      send(res, 202, accepted, { location: accepted.statusUrl });
    } else {
      // The customer waits; if they give up (close the connection) the server stops waiting too.
      const controller = new AbortController();
      res.once("close", () => controller.abort(new Error("client closed the connection")));
      const processed = await options.service.placeSync(request, controller.signal, key);
      send(res, processed.status === "PAYMENT_FAILED" ? 402 : 201, processed, { location: processed.statusUrl });
    }
    return;
  }
  const match = ORDER_PATH.exec(path);
  if (match) {
    if (method !== "GET") throw new HttpError(405, "METHOD_NOT_ALLOWED", `Use GET on ${path}`);
    const order = await options.orders.get(match[1]!);
    if (!order) throw new HttpError(404, "NOT_FOUND", `No order ${match[1]}`);
    send(res, 200, order);
    return;
  }
  if (path === "/health" && method === "GET") {
    send(res, 200, { ok: true, ...options.health() });
    return;
  }
  throw new HttpError(404, "NOT_FOUND", `No route for ${method} ${path}`);
}

function parseOrder(body: unknown) {
  const result = orderRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
  throw new HttpError(
    400,
    "VALIDATION_FAILED",
    `Invalid order: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`,
    { issues },
  );
}

function idempotencyKeyOf(req: IncomingMessage): string | undefined {
  const key = req.headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1-255 printable ASCII characters");
  }
  return key;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "BODY_TOO_LARGE", `Request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "INVALID_JSON", "The request body is not valid JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown, logger: Logger): void {
  if (error instanceof HttpError) {
    // After a 413 the rest of the body was never read: close the connection, or the next request on it
    // (keep-alive clients reuse connections) would be parsed from the unread bytes and hang.
    const headers = error.status === 413 ? { connection: "close" } : undefined;
    send(res, error.status, { error: error.code, message: error.message, ...error.extra }, headers);
  } else if (error instanceof IdempotencyPayloadMismatchError) {
    send(res, 422, { error: error.code, message: error.message });
  } else if (error instanceof IdempotencyInProgressError) {
    send(res, 409, { error: error.code, message: error.message }, { "retry-after": "1" });
  } else if (error instanceof CircuitOpenError) {
    const seconds = Math.max(1, Math.ceil((error.halfOpenAt - Date.now()) / 1000));
    send(
      res,
      503,
      { error: error.code, message: "Payments are unavailable; retry later" },
      { "retry-after": String(seconds) },
    );
  } else if (hasErrorCode(error, "TRANSIENT") || hasErrorCode(error, "TIMEOUT") || hasErrorCode(error, "ABORTED")) {
    send(res, 503, { error: "UNAVAILABLE", message: (error as Error).message }, { "retry-after": "1" });
  } else {
    logger.error("request failed", { error });
    send(res, 500, { error: "INTERNAL", message: "Internal error" });
  }
}
