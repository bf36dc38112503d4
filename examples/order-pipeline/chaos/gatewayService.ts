/**
 * The payment gateway simulator behind HTTP, so that worker processes share one gateway: charges per order are
 * counted in one place (the chaos harness) however many workers call it, are killed or restart. A killed
 * worker's charge keeps running here and completes, as a real provider's would.
 *
 * `POST /charge` with a `ChargeRequest` as JSON answers 200 with the charge, 402 when declined, 503 during an
 * outage. A caller that disconnects aborts its wait (not a charge that already holds a slot).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AbortedError, TransientError } from "@resilient-jobs/core";
import {
  type Charge,
  type ChargeRequest,
  GatewayUnavailableError,
  PaymentDeclinedError,
  type PaymentGatewaySimulator,
} from "../src/payment/PaymentGatewaySimulator.js";
import type { PaymentGateway } from "../src/payment/paymentService.js";

/** A listening gateway service. */
export interface GatewayService {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Calls for `orderId` answered 503 because of an outage: what tells a dead letter of the outage apart. */
  rejectedDuringOutage(orderId: string): number;
  close(): Promise<void>;
}

/** Serves `gateway` on 127.0.0.1 and a free port. */
export async function startGatewayService(gateway: PaymentGatewaySimulator): Promise<GatewayService> {
  const rejected = new Map<string, number>();
  const onOutage = (orderId: string) => rejected.set(orderId, (rejected.get(orderId) ?? 0) + 1);
  const server: Server = createServer((req, res) => {
    serve(gateway, onOutage, req, res).catch(() => reply(res, 500, { error: "INTERNAL" }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rejectedDuringOutage: (orderId) => rejected.get(orderId) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  gateway: PaymentGatewaySimulator,
  onOutage: (orderId: string) => void,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== "POST" || req.url !== "/charge") {
    reply(res, 404, { error: "NOT_FOUND" });
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChargeRequest;
  const callerGone = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) callerGone.abort(new Error("the caller disconnected"));
  });
  try {
    reply(res, 200, await gateway.charge(request, callerGone.signal));
  } catch (error) {
    if (error instanceof PaymentDeclinedError) reply(res, 402, { error: "DECLINED" });
    else if (error instanceof GatewayUnavailableError) {
      onOutage(request.orderId);
      reply(res, 503, { error: "UNAVAILABLE" });
    } else if (error instanceof AbortedError) res.destroy();
    else throw error;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A {@link PaymentGateway} that calls the gateway service: the same errors as the simulator in process
 * (`PaymentDeclinedError`, `GatewayUnavailableError`, `AbortedError` when `signal` aborts), and a
 * `TransientError` when the service cannot be reached.
 */
export function createHttpPaymentGateway(baseUrl: string): PaymentGateway {
  const url = new URL("/charge", baseUrl).href;
  return {
    async charge(request, signal) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(request),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw new AbortedError(signal.reason);
        throw new TransientError(`The payment gateway at ${baseUrl} could not be reached`, { cause: error });
      }
      if (response.status === 200) return (await response.json()) as Charge;
      await response.body?.cancel();
      if (response.status === 402) throw new PaymentDeclinedError(request.orderId);
      if (response.status === 503) throw new GatewayUnavailableError();
      throw new TransientError(`The payment gateway answered ${response.status}`);
    },
  };
}
