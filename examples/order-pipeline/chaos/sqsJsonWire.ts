/**
 * SQS's AWS JSON 1.0 protocol as the fault proxy speaks it: error answers the SDK parses, and calls sent to the
 * emulator outside any client.
 */
import { type Agent, type IncomingMessage, request, type ServerResponse } from "node:http";

/** `Content-Type` of every request and answer. */
export const JSON_CONTENT_TYPE = "application/x-amz-json-1.0";
/** `X-Amz-Target` is this prefix and the operation name. */
export const TARGET_PREFIX = "AmazonSQS.";

/** Answers an injected error as SQS's JSON protocol does, the way the AWS SDK v3 parses it (name from `__type`). */
export function sendError(res: ServerResponse, throttling: boolean): void {
  if (res.destroyed) return;
  const [status, code, fault, message] = throttling
    ? [400, "ThrottlingException", "Sender", "Rate exceeded (injected by the chaos proxy)"]
    : [500, "InternalError", "Receiver", "We encountered an internal error (injected by the chaos proxy)"];
  const body = JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message });
  res.writeHead(status, {
    "content-type": JSON_CONTENT_TYPE,
    "content-length": String(Buffer.byteLength(body)),
    "x-amzn-query-error": `${code};${fault}`,
  });
  res.end(body);
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The body as JSON, or undefined when it is not. */
export function parseJson<T>(buffer: Buffer): T | undefined {
  try {
    return JSON.parse(buffer.toString("utf8")) as T;
  } catch {
    return undefined;
  }
}

/** A received message's string attributes, in the shape SendMessage takes. */
export function stringAttributes(attributes: Record<string, { DataType?: string; StringValue?: string }>) {
  const copy: Record<string, { DataType: string; StringValue: string }> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.StringValue !== undefined)
      copy[name] = { DataType: value.DataType ?? "String", StringValue: value.StringValue };
  }
  return copy;
}

/** One JSON 1.0 call to the emulator, outside any client (the emulator does not check signatures). */
export function sendUpstream(upstream: URL, agent: Agent, operation: string, body: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: "POST",
        path: "/",
        agent,
        headers: {
          "content-type": JSON_CONTENT_TYPE,
          "x-amz-target": TARGET_PREFIX + operation,
          "content-length": String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode === 200));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
