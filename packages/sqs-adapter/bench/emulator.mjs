// Runs fauxqs in its own process for the benchmark, so its CPU is not counted as the consumer's.
// Prints {"endpoint": "..."} on stdout once listening; exits on SIGTERM or when stdin closes.
import { buildApp } from "fauxqs";

const app = buildApp({ logger: false });
await app.listen({ port: 0, host: "127.0.0.1" });
const { port } = app.server.address();
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${port}` })}\n`);

const close = () => app.close().finally(() => process.exit(0));
process.on("SIGTERM", close);
process.stdin.on("end", close);
process.stdin.resume();
