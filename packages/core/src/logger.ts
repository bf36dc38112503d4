/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Structured fields attached to a log line (message id, correlation id, ...). Never message bodies by default. */
export type LogFields = Record<string, unknown>;

/**
 * The logger interface resilient-jobs writes to. pino, the Powertools logger and
 * `console` all fit: each method takes a message and optional structured fields.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Returns a logger that adds `fields` to every line. Optional: `withFields` falls back to wrapping. */
  child?(fields: LogFields): Logger;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Lowest level written. @defaultValue `"info"` */
  level?: LogLevel;
  /** Where lines go. @defaultValue writes to `process.stdout` (errors to `process.stderr`) */
  write?: (line: string, level: LogLevel) => void;
  /** Fields added to every line. @defaultValue `{}` */
  base?: LogFields;
  /** Clock for the `time` field. @defaultValue `Date.now` */
  now?: () => number;
}

/**
 * A logger writing one JSON object per line: `{ level, time, msg, ...fields }`. The default logger. Making one
 * (a child too: a Lambda makes one per invocation) runs as little as possible: `base` is cleaned of errors with
 * each line, not walked here.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const { now = Date.now, base = {} } = options;
  const min = LEVELS.indexOf(options.level ?? "info");
  const write =
    options.write ??
    ((line: string, level: LogLevel) => (level === "error" ? process.stderr : process.stdout).write(`${line}\n`));
  const logger = loggerOf((level) =>
    LEVELS.indexOf(level) < min
      ? ignore
      : (msg, fields) =>
          // No replacer: one would be called for every key of every line (the cost of a failure's log line).
          write(
            JSON.stringify(withoutErrors({ level, time: new Date(now()).toISOString(), msg, ...base, ...fields })),
            level,
          ),
  );
  logger.child = (fields) => createJsonLogger({ level: options.level, now, write, base: { ...base, ...fields } });
  return logger;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => silentLogger,
};

/** Returns a logger that adds `fields` to every line, using the logger's own `child` when it has one. */
export function withFields(logger: Logger, fields: LogFields): Logger {
  if (logger.child) return logger.child(fields);
  return loggerOf((level) => (msg, more) => logger[level](msg, { ...fields, ...more }));
}

type LogMethod = Logger["info"];

function ignore(): void {}

/** A logger whose four methods `methodFor` builds. */
function loggerOf(methodFor: (level: LogLevel) => LogMethod): Logger {
  return { debug: methodFor("debug"), info: methodFor("info"), warn: methodFor("warn"), error: methodFor("error") };
}

/**
 * `value` with every Error in it (in arrays and plain objects, at any depth) as `{ name, message, code }`: JSON
 * would write `{}`. Never the stack, nor a cause chain that may quote bodies; an undefined `code` is left out of
 * the line, as JSON leaves out every undefined value. Containers are copied only when they hold an Error.
 */
function withoutErrors(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  // Class instances (a Date, a Map) are left to JSON, as they were.
  const array = Array.isArray(value);
  if (!array && (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype)) {
    return value;
  }
  let copy: object | undefined;
  for (const key of Object.keys(value as object)) {
    const item = (value as Record<string, unknown>)[key];
    const plain = withoutErrors(item);
    if (plain === item) continue;
    copy ??= array ? (value as unknown[]).slice() : { ...(value as object) };
    (copy as Record<string, unknown>)[key] = plain;
  }
  return copy ?? value;
}
