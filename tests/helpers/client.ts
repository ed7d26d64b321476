/**
 * What the MLflow-client flow tests share: deterministic bytes, digests, the client's mapping of
 * `mlflow-artifacts:` URIs onto the proxy, and the JSON reply check.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deterministic pseudo-random bytes (xorshift32), so a failure is reproducible. */
export function noise(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Hex SHA-256, to compare downloads with uploads. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
}

/** Asserts a JSON reply with `status` and returns the parsed body. */
// deno-lint-ignore no-explicit-any
export async function jsonOf(res: Response, status = 200): Promise<any> {
  const body = await res.text();
  assert.equal(res.status, status, body);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return JSON.parse(body);
}

/** The client's `mlflow-artifacts:/X` → `<tracking>/api/2.0/mlflow-artifacts/artifacts/X`. */
export function artifactBaseUrl(tracking: string, artifactUri: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  assert.ok(m, artifactUri);
  return `${tracking}/api/2.0/mlflow-artifacts/artifacts/${m[1]}`;
}
