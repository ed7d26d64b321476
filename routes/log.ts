/**
 * The server log, safe against what requests put into it: every piece of text that can come from
 * a client (a decoded URL path, an error message quoting a caller's key) is escaped so it cannot
 * start a new line or drive a terminal, and capped so one request cannot flood the log. Writing
 * never throws: a closed stderr (EPIPE) or an error object whose `message`/`stack` getter throws
 * must not turn an answer into a crash.
 *
 * @module
 */

/** Longest run of request-derived text one log entry keeps; the rest is cut with a count. */
export const MAX_LOGGED_CHARS = 2000;

/** Most stack frames logged for one error (frames come from code, never from a request). */
const MAX_FRAMES = 30;

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators some viewers break on.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` as one inert log line: control characters as `\n`, `\r`, `\t` or `\xNN` / `\uNNNN`,
 * backslashes doubled (so an escape in the log is always ours), cut to `max` characters.
 *
 * @example
 * ```ts
 * logSafe("/a\nERROR forged"); // "/a\\nERROR forged"
 * ```
 */
export function logSafe(text: string, max = MAX_LOGGED_CHARS): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replaceAll("\\", "\\\\").replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return ESCAPES[ch] ??
      (code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`);
  });
  return text.length > max ? `${escaped}… (${text.length - max} more characters)` : escaped;
}

/** Reads a property without letting a hostile getter throw. */
function read(obj: unknown, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `String(value)`, or a placeholder when that throws (a hostile `toString`). */
function str(value: unknown): string {
  try {
    return typeof value === "string" ? value : String(value);
  } catch {
    return "[unprintable]";
  }
}

/**
 * An error as log text: its name and message escaped onto the first line, then its stack frames
 * (which come from code) one per line, then its `cause` the same way (one level). Never throws.
 */
export function describeError(err: unknown, depth = 0): string {
  if (typeof err !== "object" || err === null) return logSafe(str(err));
  const name = str(read(err, "name") ?? "Error");
  const message = str(read(err, "message") ?? "");
  const stack = read(err, "stack");
  // A message can itself contain "\n    at …": frames are only taken from after the message.
  const text = typeof stack === "string" ? stack : "";
  const after = message !== "" && text.includes(message)
    ? text.slice(text.indexOf(message) + message.length)
    : text;
  const frames = after.split("\n").filter((l) => /^\s+at /.test(l)).slice(0, MAX_FRAMES);
  const lines = [logSafe(`${name}: ${message}`), ...frames.map((f) => logSafe(f))];
  const cause = read(err, "cause");
  if (cause !== undefined && depth < 1) {
    lines.push(`  caused by ${describeError(cause, depth + 1)}`);
  }
  return lines.join("\n");
}

/**
 * Writes one entry to the server log (stderr): `parts` are request-derived text and are escaped
 * with {@linkcode logSafe}; `err`, when given, follows as {@linkcode describeError}. Never throws.
 */
export function logError(parts: readonly string[], err?: unknown): void {
  try {
    const line = `kvflow: ${parts.map((p) => logSafe(str(p))).join(" ")}`;
    console.error(err === undefined ? line : `${line}\n${describeError(err)}`);
  } catch {
    // stderr is gone (EPIPE) or unwritable: nothing left to tell, and the answer must still go out.
  }
}
