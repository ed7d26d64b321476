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

/**
 * Most `cause` levels logged under an error: enough for an S3 or KV failure (MlflowError → fetch
 * TypeError → its OS error) without letting a cyclic or hostile chain run on.
 */
export const MAX_LOGGED_CAUSES = 4;

/**
 * Credentials that may sit inside an error's text (a fetch error quoting a presigned URL, an
 * `Authorization` header, an AWS access key id, an API token): each match keeps its name and
 * loses its value.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // Presigned URL query parameters and SigV4 header fields.
  /\b(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<>]+/gi,
  /\b((?:Signature|Credential)=)[^,&\s"'<>]+/g,
  // `Authorization: <scheme> <value>` as a header line or JSON field, and bare Basic/Bearer values.
  /\b(authorization["']?\s*[:=]\s*["']?)[^\n"']+/gi,
  /\b((?:Basic|Bearer)\s+)(?=[A-Za-z0-9+/=._~-]*[0-9+/=_])[A-Za-z0-9+/=._~-]{8,}/g,
  // AWS access key ids, and kvflow's own API tokens.
  /\b()(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\b()kvf_[A-Za-z0-9_-]{20,}/g,
];

/** Secret values the server knows (S3 secret key, KV token…); see {@linkcode addLogSecrets}. */
const knownSecrets = new Set<string>();

/**
 * Makes the log blank these exact values wherever they appear (credentials from the
 * environment, which no pattern can recognise). Values shorter than 6 characters are ignored:
 * they would blank ordinary words.
 */
export function addLogSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) if (v !== undefined && v.length >= 6) knownSecrets.add(v);
}

/**
 * `text` with credentials blanked: see the patterns above and {@linkcode addLogSecrets}.
 *
 * @example
 * ```ts
 * redactSecrets("GET https://b.s3/k?X-Amz-Signature=abc123&x=1");
 * // "GET https://b.s3/k?X-Amz-Signature=[redacted]&x=1"
 * ```
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.replaceAll(secret, "[redacted]");
  for (const re of SECRET_PATTERNS) out = out.replace(re, "$1[redacted]");
  return out;
}

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators some viewers break on.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `raw` as one inert log line: credentials blanked ({@linkcode redactSecrets}), control
 * characters as `\n`, `\r`, `\t` or `\xNN` / `\uNNNN`, backslashes doubled (so an escape in
 * the log is always ours), cut to `max` characters.
 *
 * @example
 * ```ts
 * logSafe("/a\nERROR forged"); // "/a\\nERROR forged"
 * ```
 */
export function logSafe(raw: string, max = MAX_LOGGED_CHARS): string {
  const text = redactSecrets(raw);
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
 * (which come from code) one per line, then its `cause` chain the same way (up to
 * {@linkcode MAX_LOGGED_CAUSES} levels). Credentials in any of it are blanked. Never throws.
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
  if (cause !== undefined && depth < MAX_LOGGED_CAUSES) {
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
