// Summarises `node --cpu-prof` profiles of the bench's consumer process: self time by where the code lives
// (ours: packages/*; the AWS SDK: @aws-sdk/*, @smithy/*, @aws-crypto/*; other dependencies; node internals,
// GC), and the top functions of each group. The consumer is an esbuild bundle, so positions inside it are
// mapped back to their source files through the bundle's source map (worker.mjs.map, written beside it).
// Usage: node bench/profileSummary.mjs [--messages N] [--top 8] FILE.cpuprofile...
//   --messages N also prints microseconds per message (N messages processed in each profiled run).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = argv.splice(i, 2).slice(1);
  return value;
};
const messages = Number(option("messages", "0"));
const top = Number(option("top", "8"));
if (argv.length === 0) {
  console.error("usage: node bench/profileSummary.mjs [--messages N] [--top 8] FILE.cpuprofile...");
  process.exit(2);
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes a source map's `mappings` into, per generated line, sorted [column, sourceIndex, sourceLine]. */
function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let sourceLine = 0;
  for (const line of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      // Fields: generated column, source index, source line, source column (unused), name.
      if (fields.length >= 4) {
        source += fields[1];
        sourceLine += fields[2];
        segments.push([column, source, sourceLine]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

const sourceMaps = new Map();
/** The source file and line of a position in a bundle with a source map beside it; undefined without one. */
function originalSource(url, line, column) {
  if (!sourceMaps.has(url)) {
    const file = url.startsWith("file:") ? fileURLToPath(url) : url;
    const mapFile = `${file}.map`;
    if (!existsSync(mapFile)) sourceMaps.set(url, undefined);
    else {
      const map = JSON.parse(readFileSync(mapFile, "utf8"));
      sourceMaps.set(url, { sources: map.sources, lines: decodeMappings(map.mappings) });
    }
  }
  const map = sourceMaps.get(url);
  if (map === undefined) return undefined;
  const segments = map.lines[line] ?? [];
  let found = segments[0];
  for (const segment of segments) {
    if (segment[0] > column) break;
    found = segment;
  }
  return found === undefined ? undefined : `${map.sources[found[1]]}:${found[2] + 1}`;
}

/** The group a function's self time is counted in. */
function groupOf(node) {
  const { url, functionName, lineNumber, columnNumber } = node.callFrame;
  if (url === "") {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(idle)") return "idle";
    if (functionName === "(program)") return "node: (program)";
    return "node: native";
  }
  if (url.startsWith("node:")) {
    if (url.startsWith("node:internal/crypto")) return "node: crypto (hashes, HMACs)";
    if (/^node:(_http|net|internal\/(streams|http|net|stream_base))/.test(url)) return "node: http, net, streams";
    if (url.startsWith("node:internal/timers") || url === "node:timers") return "node: timers";
    return "node: other JS";
  }
  const file = originalSource(url, lineNumber, columnNumber) ?? url;
  const ours = /packages\/(core|sqs-adapter|lambda-adapter)\/src\//.exec(file);
  if (ours) return `ours: ${ours[1]}`;
  if (/packages\/sqs-adapter\/bench\//.test(file)) return "bench harness";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) {
    if (/^@aws-sdk\//.test(pkg[1])) return "SDK: @aws-sdk";
    if (/^@smithy\//.test(pkg[1])) return "SDK: @smithy";
    if (/^@aws-crypto\//.test(pkg[1])) return "SDK: @aws-crypto";
    return `dependency: ${pkg[1]}`;
  }
  return `other: ${file}`;
}

const groups = new Map();
let totalMicros = 0;
for (const path of argv) {
  const profile = JSON.parse(readFileSync(path, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    const group = groupOf(node);
    if (group === "idle") continue;
    totalMicros += micros;
    const entry = groups.get(group) ?? { micros: 0, functions: new Map() };
    entry.micros += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const source = url === "" ? "" : (originalSource(url, lineNumber, node.callFrame.columnNumber) ?? url);
    const key = `${functionName || "(anonymous)"} ${source.replace(/^.*(node_modules|packages)\//, "")}`;
    entry.functions.set(key, (entry.functions.get(key) ?? 0) + micros);
    groups.set(group, entry);
  }
}

const perMessage = (micros) => (messages > 0 ? (micros / messages / argv.length).toFixed(1) : "");
const rows = [...groups].sort((a, b) => b[1].micros - a[1].micros);
console.log(`busy (non-idle) CPU: ${(totalMicros / 1000).toFixed(0)} ms in ${argv.length} profile(s)`);
console.log("| group | ms | share | µs/msg |\n|---|---:|---:|---:|");
for (const [group, { micros }] of rows) {
  console.log(
    `| ${group} | ${(micros / 1000).toFixed(0)} | ${((100 * micros) / totalMicros).toFixed(1)}% | ${perMessage(micros)} |`,
  );
}
for (const [group, { functions }] of rows) {
  if (top <= 0) break;
  console.log(`\n${group}:`);
  for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${(micros / 1000).toFixed(1).padStart(8)} ms  ${name}`);
  }
}
