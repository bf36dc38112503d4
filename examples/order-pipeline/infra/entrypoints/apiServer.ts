/**
 * The order API's container entry (`api.mjs`): the app's HTTP API on the `aws` backend, reachable by the load
 * balancer on HOST:PORT (0.0.0.0:8080). `startOrderApi` listens on loopback only, so a small TCP forwarder
 * takes the container port. On SIGTERM (ECS sends it after the load balancer has drained the task) it stops
 * accepting, closes the API and the backend, and exits.
 */
import { connect, createServer, type Server } from "node:net";
import { startOrderApi } from "../../src/api/httpServer.js";
import { createOrderService } from "../../src/api/orderService.js";
import { createAwsBackend } from "../../src/backends/awsBackend.js";
import { deployedLogger, deployedPaymentService, positiveIntegerFromEnv, realTime } from "./deployedPipeline.js";

const logger = deployedLogger("api");
const backend = await createAwsBackend({ logger });
const payments = deployedPaymentService(backend.idempotency);
const service = createOrderService({
  orders: backend.orders,
  topic: backend.topic,
  payments,
  idempotency: backend.idempotency,
  timeScale: realTime,
});
const api = await startOrderApi({
  service,
  orders: backend.orders,
  logger,
  health: () => ({ backend: backend.name, role: "api" }),
});
const loopbackPort = Number(new URL(api.url).port);

const forwarder: Server = createServer((client) => {
  const upstream = connect(loopbackPort, "127.0.0.1");
  client.pipe(upstream).pipe(client);
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", drop);
  upstream.on("error", drop);
});
const port = positiveIntegerFromEnv("PORT", 8080);
const host = process.env.HOST ?? "0.0.0.0";
forwarder.listen(port, host, () => logger.info("order API listening", { host, port }));

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info("stopping", { signal });
  forwarder.close();
  await api.close();
  payments.breaker.shutdown();
  await backend.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop("SIGTERM"));
process.once("SIGINT", () => void stop("SIGINT"));
