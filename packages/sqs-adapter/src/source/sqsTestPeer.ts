/**
 * One fauxqs per integration-test file, and the clients its tests use: the set-up every test file of this
 * package shares. Apart from sqsTestKit.ts because it loads the emulators (test-support/peers.ts), which the
 * benchmark that bundles the kit must not; the runner's `afterAll` is passed in, so no test-runner import either.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { silentLogger } from "@resilient-jobs/core";
import { type PeerClientConfig, type RunningPeer, startSqsPeer } from "../../../../test-support/peers.js";
import { createSqsConsumer, type SqsConsumer, type SqsConsumerOptions } from "../consumer/createSqsConsumer.js";

/** The test runner's `afterAll` or `afterEach` (vitest's fit). */
export type AfterAll = (fn: () => Promise<void>) => void;

/** fauxqs running for one test file, and the clients its tests use. */
export interface SqsTestPeer {
  readonly peer: RunningPeer;
  /** Shared by the file's tests: a test that adds middleware (recording, fault injection) takes a `newClient()`. */
  readonly client: SQSClient;
  /** A client of its own on the emulator, destroyed after the file: an SQSClient, or `newClient(SNSClient)`. */
  newClient(): SQSClient;
  newClient<C extends { destroy(): void }>(Client: new (config: PeerClientConfig) => C): C;
}

/**
 * Starts fauxqs for a test file, at its top level: `const { peer, client } = await startTestPeer(afterAll);`.
 * `afterAll` then destroys every client handed out and stops the emulator.
 */
export async function startTestPeer(afterAll: AfterAll): Promise<SqsTestPeer> {
  const peer = await startSqsPeer();
  const clients: { destroy(): void }[] = [];
  function newClient<C extends { destroy(): void }>(Client?: new (config: PeerClientConfig) => C): C {
    const client = Client ? new Client(peer.clientConfig) : (new SQSClient(peer.clientConfig) as unknown as C);
    clients.push(client);
    return client;
  }
  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await peer.stop();
  });
  return { peer, client: newClient<SQSClient>(), newClient };
}

/**
 * `start(options)` for a test file's consumers: quiet (silent logger, no signal handlers unless asked), and each
 * stopped after its test by `afterEach`, whatever happened.
 */
export function consumerStarter(afterEach: AfterAll): <T>(options: SqsConsumerOptions<T>) => Promise<SqsConsumer> {
  const running: SqsConsumer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop({ drainTimeoutMs: 1000 })));
  });
  return async <T>(options: SqsConsumerOptions<T>) => {
    const consumer = await createSqsConsumer<T>({ logger: silentLogger, handleSignals: false, ...options });
    running.push(consumer);
    return consumer;
  };
}
