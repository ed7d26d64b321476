/**
 * Reads the credential a request carries from its `Authorization` header, as MLflow's clients
 * send it (../shared/mlflow-auth-traffic.md §1): `Basic base64(user:password)` from
 * `MLFLOW_TRACKING_USERNAME`/`PASSWORD`, `Bearer <token>` from `MLFLOW_TRACKING_TOKEN`. Pure: no
 * lookup happens here, and nothing parsed is ever put in a message.
 *
 * @example
 * ```ts
 * parseCredentials(new Headers({ authorization: "Basic " + btoa("alice:correct horse") }));
 * // { kind: "basic", username: "alice", password: "correct horse" }
 * ```
 *
 * @module
 */

/**
 * The longest `Authorization` header read (8 KiB); a longer one is `malformed` without being
 * decoded, so a huge header costs no base64 or UTF-8 work.
 */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 8192;

/** What a request's `Authorization` header holds. */
export type Credentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "bearer"; token: string }
  | { kind: "none" }
  | { kind: "malformed" };

// RFC 7235: a scheme token, one or more spaces, the credentials (token68 for both schemes).
const HEADER_RE = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +(\S+)$/;
// Standard base64 with optional padding (Python's client always pads; unpadded is harmless).
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const TOKEN68_RE = /^[A-Za-z0-9._~+/-]+=*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeBase64Utf8(b64: string): string | null {
  if (!BASE64_RE.test(b64)) return null;
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  try {
    return utf8.decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * The credential in `headers`. The scheme is case-insensitive (MLflow accepts `basic`); Basic
 * splits at the first colon (usernames cannot hold one, passwords may); invalid base64 or UTF-8,
 * a missing colon, an empty username, an unknown scheme or an over-long header are `malformed`.
 */
export function parseCredentials(headers: Headers): Credentials {
  const raw = headers.get("authorization");
  if (raw === null) return { kind: "none" };
  if (raw.length > MAX_AUTHORIZATION_HEADER_LENGTH) return { kind: "malformed" };
  const m = HEADER_RE.exec(raw.trim());
  if (!m) return { kind: "malformed" };
  const scheme = m[1].toLowerCase();
  const value = m[2];
  if (scheme === "bearer") {
    return TOKEN68_RE.test(value) ? { kind: "bearer", token: value } : { kind: "malformed" };
  }
  if (scheme !== "basic") return { kind: "malformed" };
  const decoded = decodeBase64Utf8(value);
  if (decoded === null) return { kind: "malformed" };
  const colon = decoded.indexOf(":");
  if (colon <= 0) return { kind: "malformed" };
  return {
    kind: "basic",
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
  };
}
