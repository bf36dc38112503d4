/**
 * Body compression with node:zlib. zstd exists from Node 22.15 (and 23.8): `isCompressionAvailable` says
 * whether this Node has it, and asking for it where it is missing fails at construction.
 */

import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { DecodeError } from "../errors.js";

/** A compression algorithm, as written in the `resilient-jobs.encoding` attribute. */
export type PayloadCompression = "gzip" | "zstd";

type Codec = (input: Uint8Array) => Promise<Uint8Array>;

const zstdCompress = (zlib as { zstdCompress?: unknown }).zstdCompress;
const zstdDecompress = (zlib as { zstdDecompress?: unknown }).zstdDecompress;

const CODECS: Record<PayloadCompression, { compress?: Codec; decompress?: Codec }> = {
  gzip: { compress: promisify(zlib.gzip), decompress: promisify(zlib.gunzip) },
  zstd:
    typeof zstdCompress === "function" && typeof zstdDecompress === "function"
      ? {
          compress: promisify(zstdCompress as typeof zlib.gzip),
          decompress: promisify(zstdDecompress as typeof zlib.gunzip),
        }
      : {},
};

/** True when this Node can compress and decompress with `algorithm`. */
export function isCompressionAvailable(algorithm: string): algorithm is PayloadCompression {
  return (algorithm === "gzip" || algorithm === "zstd") && CODECS[algorithm].compress !== undefined;
}

/** Compresses with an available algorithm (checked at construction by the caller). */
export function compress(bytes: Uint8Array, algorithm: PayloadCompression): Promise<Uint8Array> {
  return CODECS[algorithm].compress!(bytes);
}

/** Decompresses a body; an unknown algorithm or corrupt data is a permanent `DecodeError`. */
export async function decompress(bytes: Uint8Array, algorithm: string): Promise<Uint8Array> {
  if (!isCompressionAvailable(algorithm)) {
    throw new DecodeError(
      `The message is compressed with ${JSON.stringify(algorithm)}, which this Node.js ${process.version} cannot decompress (gzip always; zstd from Node 22.15)`,
    );
  }
  try {
    return await CODECS[algorithm].decompress!(bytes);
  } catch (error) {
    throw new DecodeError(`The message's ${algorithm} data is corrupt (${bytes.byteLength} bytes)`, { cause: error });
  }
}
