/**
 * The request log: one line per request, in logfmt-style text or JSON, with every value escaped
 * (routes/log.ts `logSafe`: control characters, credentials) and lines written in batches.
 *
 * Lines go to stdout: they are the server's normal output, one per request, while stderr carries
 * warnings and errors (routes/log.ts), so an operator can keep or ship the two apart.
 *
 * @module
 */
import { logSafe, MAX_LOGGED_CHARS, redactSecrets } from "../log.ts";

/** The request-log formats: `text` (logfmt-style `key=value`) or `json` (one object a line). */
export type LogFormat = "text" | "json";

/** The formats `--log-format` accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

/** What one request-log line says. */
export interface RequestLogEntry {
  /** When the request arrived. */
  time: Date;
  method: string;
  /** The route template (`/api/2.0/mlflow/runs/get`) or `unmatched`; never the raw path. */
  route: string;
  status: number;
  /** Milliseconds from the request's arrival to its response headers. */
  durationMs: number;
  /** Response body bytes when declared (`Content-Length`); undefined when streamed. */
  bytes: number | undefined;
  requestId: string;
  /** The authenticated user's name; undefined without auth or before one was identified. */
  user: string | undefined;
}

/**
 * Printable ASCII without spaces, quotes or `=`: what a method and a route template always are
 * (an HTTP token; a path from the code), which need no escaping or redaction. The check is there
 * so that a value that is not one still goes through `logSafe`; it saves the redaction patterns'
 * work on every line (a third of the cost of formatting one).
 */
const PLAIN = /^[!#-<>-~]+$/;

/** A method or route template for a logfmt field (see {@linkcode PLAIN}). */
function codeField(value: string): string {
  return PLAIN.test(value) ? value : field(value);
}

/** A method or route template for a JSON field (see {@linkcode PLAIN}). */
function codeText(value: string): string {
  return PLAIN.test(value) ? value : jsonText(value);
}

/** A value for a logfmt field: escaped, and quoted when it holds a space, `"` or `=`. */
function field(value: string): string {
  const safe = logSafe(value);
  return safe === "" || /[\s"=]/.test(safe) ? `"${safe.replaceAll('"', '\\"')}"` : safe;
}

/** A value for a JSON field: credentials blanked and capped; JSON escapes the rest. */
function jsonText(value: string): string {
  const text = redactSecrets(value);
  return text.length > MAX_LOGGED_CHARS ? `${text.slice(0, MAX_LOGGED_CHARS)}…` : text;
}

/**
 * One log line (without its newline).
 *
 * @example
 * ```ts
 * formatRequestLog({ time: new Date(0), method: "GET", route: "/health", status: 200,
 *   durationMs: 0.42, bytes: 2, requestId: "abc", user: undefined }, "text");
 * // 'time=1970-01-01T00:00:00.000Z method=GET route=/health status=200 duration_ms=0.42 bytes=2 request_id=abc user=-'
 * ```
 */
export function formatRequestLog(e: RequestLogEntry, format: LogFormat): string {
  const ms = Math.round(e.durationMs * 100) / 100;
  if (format === "json") {
    // JSON.stringify escapes C0 controls but not U+2028/U+2029, which break some log viewers.
    return JSON.stringify({
      time: e.time.toISOString(),
      method: codeText(e.method),
      route: codeText(e.route),
      status: e.status,
      duration_ms: ms,
      bytes: e.bytes ?? null,
      request_id: jsonText(e.requestId),
      user: e.user === undefined ? null : jsonText(e.user),
    }).replace(/[\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
  }
  return `time=${e.time.toISOString()} method=${codeField(e.method)} route=${codeField(e.route)} ` +
    `status=${e.status} duration_ms=${ms} bytes=${e.bytes ?? "-"} ` +
    `request_id=${field(e.requestId)} user=${e.user === undefined ? "-" : field(e.user)}`;
}

/** Where formatted lines go; tests pass one that collects them. */
export type LogSink = (line: string) => void;

/** Buffered bytes at which the log writer flushes at once instead of waiting for its timer. */
export const LOG_FLUSH_BYTES = 64 * 1024;

/** How long (ms) a line may wait in the buffer before it is written. */
export const LOG_FLUSH_MS = 200;

/** A sink that batches lines and writes them with `write`, plus a way to flush on shutdown. */
export interface BufferedLog {
  sink: LogSink;
  /** Writes whatever is buffered now. */
  flush(): void;
}

/**
 * Batches lines: they are written every {@linkcode LOG_FLUSH_MS} or once
 * {@linkcode LOG_FLUSH_BYTES} are waiting, so a busy server makes one write per batch instead of
 * one per request. The buffer never holds more than one batch: the write is synchronous (as
 * `console.log`'s is), so it is bounded by {@linkcode LOG_FLUSH_BYTES} plus one line, and each
 * line's fields are capped by `logSafe`. `write` defaults to stdout; its failures (a closed pipe)
 * are swallowed: logging must never fail a request.
 */
export function createBufferedLog(
  write: (text: string) => void = writeStdout,
): BufferedLog {
  let buffer: string[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const text = buffer.join("\n") + "\n";
    buffer = [];
    size = 0;
    try {
      write(text);
    } catch {
      // stdout is closed or broken: nothing left to tell.
    }
  };
  return {
    flush,
    sink(line) {
      buffer.push(line);
      size += line.length + 1;
      if (size >= LOG_FLUSH_BYTES) return flush();
      if (timer === undefined) {
        timer = setTimeout(flush, LOG_FLUSH_MS);
        // A pending log line must not keep a finished process alive; main.ts flushes on exit.
        Deno.unrefTimer(timer);
      }
    },
  };
}

const encoder = new TextEncoder();

function writeStdout(text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}
