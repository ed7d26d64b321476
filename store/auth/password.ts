/**
 * Password hashing with the platform's PBKDF2-HMAC-SHA256 (WebCrypto), so no dependency holds
 * the one secret that matters. The stored form names its own parameters,
 * `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`, so raising the iteration count later never
 * breaks a password hashed before.
 *
 * @module
 */
import { bytesEqual, fromBase64, toBase64 } from "./secrets.ts";

const SCHEME = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BITS = 256;
/** Refuse stored counts beyond this: a corrupt record must not pin a CPU for minutes. */
const MAX_ITERATIONS = 10_000_000;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password with a fresh 16-byte salt.
 * @example
 * ```ts
 * const stored = await hashPassword("correct horse battery", 600_000);
 * // "pbkdf2-sha256$600000$…$…"
 * ```
 */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be 1–${MAX_ITERATIONS}`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * True when `password` matches a hash made by {@linkcode hashPassword}, with whatever iteration
 * count it was made. Digests are compared in constant time. A malformed stored value is false.
 */
export async function verifyPasswordHash(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return false;
  const iterations = Number(parts[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    return false;
  }
  let salt: Uint8Array, expected: Uint8Array;
  try {
    salt = fromBase64(parts[2]);
    expected = fromBase64(parts[3]);
  } catch {
    return false;
  }
  const actual = await derive(password, salt, iterations);
  return bytesEqual(actual, expected);
}

/**
 * Whether `stored` has the shape {@linkcode hashPassword} writes (scheme, an iteration count in
 * range, base64 salt and digest): what an import accepts as a user's password hash.
 */
export function isPasswordHash(stored: unknown): stored is string {
  if (typeof stored !== "string" || stored.length > 1000) return false;
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return false;
  const iterations = Number(parts[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    return false;
  }
  try {
    return fromBase64(parts[2]).length > 0 && fromBase64(parts[3]).length > 0;
  } catch {
    return false;
  }
}

/**
 * A hash of a random password at `iterations`, which a login for an unknown user is checked
 * against so that it costs as much as a real one (no user enumeration by timing).
 */
export function dummyPasswordHash(iterations: number): Promise<string> {
  const random = toBase64(crypto.getRandomValues(new Uint8Array(24)));
  return hashPassword(random, iterations);
}
