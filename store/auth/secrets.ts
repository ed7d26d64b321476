/**
 * Random secrets (API tokens, session ids, CSRF tokens) and the digests they are stored under.
 * A secret is 256 random bits; only its SHA-256 digest reaches storage, and lookups go by digest,
 * so a leaked database holds nothing that authenticates. SHA-256 (not a slow KDF) suffices because
 * the input is random, not guessable.
 *
 * @module
 */

/** Prefix of every API token, so scanners and people can tell a kvflow token at a glance. */
export const TOKEN_PREFIX = "kvf_";

const SECRET_BYTES = 32;
/** `kvf_` plus 43 base64url characters (32 bytes, unpadded). */
const TOKEN_RE = /^kvf_[A-Za-z0-9_-]{43}$/;
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

/** Standard base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Bytes of standard base64; throws on malformed input. */
export function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Unpadded base64url of bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function randomBase64Url(n: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(n)));
}

/** A new API token secret: `kvf_` + 43 base64url characters of 256 random bits. */
export function newApiToken(): string {
  return TOKEN_PREFIX + randomBase64Url(SECRET_BYTES);
}

/** True when `s` has the shape of an API token (cheap pre-check before any lookup). */
export function looksLikeApiToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

/** A new session id (the cookie value): 43 base64url characters of 256 random bits. */
export function newSessionId(): string {
  return randomBase64Url(SECRET_BYTES);
}

/** True when `s` has the shape of a session id. */
export function looksLikeSessionId(s: string): boolean {
  return SECRET_RE.test(s);
}

/** A new CSRF token for a session's forms. */
export function newCsrfToken(): string {
  return randomBase64Url(SECRET_BYTES);
}

/** A new public id for an API token record (not a secret): 16 base64url characters. */
export function newTokenId(): string {
  return randomBase64Url(12);
}

/** The SHA-256 digest of a secret as lowercase hex: the only form a secret is stored in. */
export async function digestSecret(secret: string): Promise<string> {
  const d = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)),
  );
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two byte strings in time that depends only on their lengths. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
