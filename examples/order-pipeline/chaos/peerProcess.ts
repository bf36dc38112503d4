/**
 * Runs one emulator (`sqs`: fauxqs, `dynamodb`: dynalite) in its own process, as PEERS.md advises for load:
 * each gets an event loop of its own instead of sharing the harness's. Prints `{"endpoint": ...}` once
 * listening; stops on SIGTERM.
 */
import { startDynamoPeer, startSqsPeer } from "../../../test-support/peers.js";

const kind = process.argv[2];
if (kind !== "sqs" && kind !== "dynamodb") throw new Error(`usage: peerProcess.js sqs|dynamodb (got ${kind})`);
const peer = kind === "sqs" ? await startSqsPeer() : await startDynamoPeer();
process.once("SIGTERM", () => {
  peer.stop().finally(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ endpoint: peer.endpoint })}\n`);
