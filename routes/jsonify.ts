/**
 * Replies encoded as Flask's `jsonify` encodes them, for MLflow's user and permission endpoints
 * (mlflow-auth-traffic.md §4): the admin client and scripts written against MLflow's basic-auth app
 * see the same bytes there, while the tracking API keeps its proto-JSON shape (respond.ts).
 *
 * @module
 */
import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/** A copy of `value` whose object keys are sorted at every depth (Python's `sort_keys=True`). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  // Plain code-unit order: Python sorts by code point, which differs only between astral and
  // high-BMP characters; these bodies' keys are fixed ASCII field names.
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = sortKeys(v);
  }
  return out;
}

/**
 * Flask's encoding: compact separators, keys sorted, non-ASCII escaped as `\uXXXX`
 * (`ensure_ascii`), and a trailing newline. Exported for tests.
 */
export function encodeJsonify(body: unknown): string {
  const text = JSON.stringify(sortKeys(body)).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${text}\n`;
}

/**
 * Like `c.json(body, status)`, typed the same way (route response schemas still check the
 * handler), but encoded with {@linkcode encodeJsonify}.
 */
export function jsonify<T, S extends ContentfulStatusCode>(
  c: Context,
  body: T,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  const res: Response = c.body(encodeJsonify(body), status, {
    "Content-Type": "application/json",
  });
  // Same runtime object c.json would give; only the phantom type differs.
  return res as unknown as Response & TypedResponse<JSONParsed<T>, S, "json">;
}
