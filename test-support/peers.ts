/**
 * Starts the local protocol peers the integration tests (and the example's
 * `local` backend) talk to with the real AWS SDK v3 clients: fauxqs for
 * SQS/SNS and dynalite for DynamoDB, each on a free loopback port.
 * Differences of each peer from AWS are listed in ../shared/PEERS.md.
 */
/// <reference path="./dynalite.d.ts" />
import type { AddressInfo } from "node:net";

/** Client options that point an AWS SDK v3 client at a local peer. */
export interface PeerClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A running peer: where it listens and how to stop it. */
export interface RunningPeer {
  readonly endpoint: string;
  readonly clientConfig: PeerClientConfig;
  stop(): Promise<void>;
}

function clientConfig(endpoint: string): PeerClientConfig {
  // Dummy credentials: the peers do not check them, and the SDK refuses to sign without some.
  return { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
}

/** Starts fauxqs (SQS + SNS) in process on 127.0.0.1 and a free port. */
export async function startSqsPeer(): Promise<RunningPeer> {
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false });
  // startFauxqs() binds 0.0.0.0; listen on loopback only.
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return { endpoint, clientConfig: clientConfig(endpoint), stop: () => app.close() };
}

/** Starts dynalite (DynamoDB, in memory) on 127.0.0.1 and a free port, with tables ACTIVE at once. */
export async function startDynamoPeer(): Promise<RunningPeer> {
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    clientConfig: clientConfig(endpoint),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
