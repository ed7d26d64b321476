/**
 * The single validator for artifact paths (mlflow-rest.md §5 "Path safety"). Every path that
 * reaches a repository — from a URL, a query string, a JSON body or a stored artifact URI — goes
 * through {@linkcode normaliseArtifactPath} first. The attack shapes it exists for are the
 * traversal CVEs of §9: `..` in any encoding, absolute and drive-letter paths, backslashes, and
 * `?`/`#`/`;` tricks.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import { utf8Length } from "../store/limits.ts";

export { utf8Length };

/** Decoding rounds allowed before a path that keeps changing is refused (MLflow uses 10). */
const MAX_DECODE_ROUNDS = 10;
/** Far above any real artifact path; bounds the work done on hostile input. */
const MAX_PATH_LENGTH = 4096;
/** How much of a rejected input an error message may quote. */
const ECHO_LIMIT = 100;

/**
 * The longest path segment (one file or directory name) accepted, in UTF-8 bytes: `NAME_MAX` of
 * Linux, macOS and Windows file systems. Checked for every backend, so a path valid on S3 stays
 * valid when the same artifacts move to local disk. Beyond it: 400 `INVALID_PARAMETER_VALUE`.
 */
export const MAX_PATH_SEGMENT_BYTES = 255;

/**
 * The longest file-system path the local backend opens, in UTF-8 bytes, with the artifact root
 * (resolved) prefixed and for an upload also its temporary file: Linux's `PATH_MAX` (4096) less
 * the terminating NUL. Beyond it: 400 `INVALID_PARAMETER_VALUE` instead of `ENAMETOOLONG`.
 */
export const MAX_LOCAL_PATH_BYTES = 4095;

/**
 * The longest S3 object key, in UTF-8 bytes, with the destination's key prefix: S3's own limit
 * (`KeyTooLongError` beyond it). Beyond it: 400 `INVALID_PARAMETER_VALUE`, before S3 is asked.
 */
export const MAX_S3_KEY_BYTES = 1024;

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
/** A run of `%XX` escapes; decoded together so multi-byte UTF-8 sequences stay whole. */
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
/** C0 controls, DEL and C1 controls: never part of a file name we store or serve. */
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** `C:`, `c:/…`: a Windows drive, which `path.join` on Windows would treat as absolute. */
const DRIVE_LETTER = /^[A-Za-z]:/;

/**
 * Validates an artifact path and returns its normalised relative form: fully URL-decoded, no
 * leading slash, at most one trailing slash removed. `""` names the root.
 *
 * Decoding repeats until the path stops changing (at most 10 rounds), so double-encoded
 * traversal (`%252e%252e%252f`) is seen for what it is. Like Python's `unquote`, a `%` not
 * followed by two hex digits is kept literally.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` ("Invalid path: …") for `..` or `.` segments,
 * empty segments (`a//b`), absolute POSIX paths, drive letters, UNC paths, backslashes, `#`,
 * `;`, `?`, control characters, invalid UTF-8 escapes, or a path still changing after 10 rounds.
 *
 * @example
 * ```ts
 * normaliseArtifactPath("1/abc/artifacts/model%20v1.pkl"); // "1/abc/artifacts/model v1.pkl"
 * normaliseArtifactPath("%252e%252e%252fetc"); // throws INVALID_PARAMETER_VALUE
 * ```
 */
export function normaliseArtifactPath(input: string): string {
  if (input.length > MAX_PATH_LENGTH) reject("path is too long", input);
  const decoded = decodeUntilStable(input);
  // Checked on the whole string first: a backslash or `?` must be refused wherever it sits,
  // before segment splitting could hide it.
  if (CONTROL_CHARS.test(decoded)) reject("control characters are not allowed", input);
  if (decoded.includes("\\")) reject("backslashes are not allowed", input);
  if (decoded.includes("#")) reject("'#' is not allowed", input);
  if (decoded.includes("?")) reject("'?' is not allowed", input);
  if (decoded.includes(";")) reject("';' is not allowed", input);
  if (decoded.startsWith("/")) reject("absolute paths are not allowed", input);
  if (DRIVE_LETTER.test(decoded)) reject("drive letters are not allowed", input);
  if (decoded === "") return "";

  // A single trailing slash is how clients name a directory; anything more is an empty segment.
  const body = decoded.endsWith("/") ? decoded.slice(0, -1) : decoded;
  for (const segment of body.split("/")) {
    if (segment === "") reject("empty path segments are not allowed", input);
    if (segment === "." || segment === "..") {
      reject("'.' and '..' segments are not allowed", input);
    }
    const bytes = utf8Length(segment);
    if (bytes > MAX_PATH_SEGMENT_BYTES) {
      reject(
        `a path segment is ${bytes} bytes long in UTF-8, more than the ${MAX_PATH_SEGMENT_BYTES} ` +
          "bytes a file or directory name may have",
        input,
      );
    }
  }
  return body;
}

/**
 * Refuses a validated path whose stored form (`stored`: the file-system path or object key the
 * backend builds from it) is longer than the backend allows. The message gives the sizes but
 * never the stored form, which would reveal the server's root or key prefix.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` when `stored` has more than `max` UTF-8 bytes.
 *
 * @example
 * ```ts
 * checkStoredLength(`/srv/artifacts/${rel}`, MAX_LOCAL_PATH_BYTES, rel);
 * ```
 */
export function checkStoredLength(stored: string, max: number, rel: string): void {
  const bytes = utf8Length(stored);
  if (bytes <= max) return;
  reject(
    `too long for the artifact store: ${bytes} bytes in UTF-8 once stored under the ` +
      `artifact root, more than its limit of ${max}`,
    rel,
  );
}

/**
 * Joins validated path pieces with `/` (skipping empty ones) and validates the result, so a
 * piece can never smuggle in a traversal.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` as {@linkcode normaliseArtifactPath}.
 *
 * @example
 * ```ts
 * joinArtifactPath("1/abc/artifacts", "model", "MLmodel"); // "1/abc/artifacts/model/MLmodel"
 * joinArtifactPath("", "a.txt"); // "a.txt"
 * ```
 */
export function joinArtifactPath(...parts: string[]): string {
  return normaliseArtifactPath(parts.filter((p) => p !== "").join("/"));
}

/** The last segment of a normalised path (`""` for the root). */
export function artifactBaseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function decodeUntilStable(input: string): string {
  let current = input;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = percentDecode(current, input);
    if (next === current) return current;
    current = next;
  }
  if (percentDecode(current, input) !== current) {
    reject(`still changing after ${MAX_DECODE_ROUNDS} rounds of URL-decoding`, input);
  }
  return current;
}

function percentDecode(s: string, original: string): string {
  return s.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    }
    try {
      return fatalUtf8.decode(bytes);
    } catch {
      return reject("percent-escapes are not valid UTF-8", original);
    }
  });
}

function reject(reason: string, input: string): never {
  const shown = input.length > ECHO_LIMIT ? `${input.slice(0, ECHO_LIMIT)}…` : input;
  // JSON quoting escapes control characters, so the message itself stays printable.
  throw new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Invalid path: ${reason} (${JSON.stringify(shown)})`,
  );
}
