/**
 * Small helpers both auth backends need to agree on: the order of names, and the form a
 * failed-login key is counted under.
 *
 * @module
 */
import { invalidParam } from "../errors.ts";
import { digestSecret } from "./secrets.ts";

/** Failed-login keys longer than this are counted under their SHA-256 digest (KV keys ≤ 2 KiB). */
export const MAX_FAILED_LOGIN_KEY_LENGTH = 256;

const utf8 = new TextEncoder();

/** Orders strings by their UTF-8 bytes, as Deno KV orders string key parts. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8.encode(a), y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The form a failed-login key (a username or a client address) is counted under: itself when
 * short, else its digest, so an attacker's long "username" cannot make an oversized KV key.
 */
export async function failedLoginKey(key: string): Promise<string> {
  if (typeof key !== "string" || key === "") throw invalidParam("Failed-login key cannot be empty");
  return key.length <= MAX_FAILED_LOGIN_KEY_LENGTH ? key : `sha256:${await digestSecret(key)}`;
}
