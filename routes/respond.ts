/**
 * JSON replies in MLflow's proto-JSON shape (mlflow-rest.md §1.3).
 *
 * @module
 */
import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/**
 * - Non-finite doubles become "NaN" / "Infinity" / "-Infinity" (`JSON.stringify` would say `null`).
 * - Empty lists are omitted, as proto JSON omits empty repeated fields; so `data` with no
 *   metrics, params or tags is `{}`. List elements are never dropped.
 * - `undefined` fields vanish as usual: unset fields are not emitted.
 */
function wireReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  }
  if (Array.isArray(value) && value.length === 0 && !Array.isArray(this)) return undefined;
  return value;
}

/** Encodes a reply body; exported for tests and for non-Hono callers. */
export function encodeWireJson(body: unknown): string {
  return JSON.stringify(body, wireReplacer);
}

/**
 * Like `c.json(body, status)`, typed the same way (so route response schemas still check the
 * handler), but encoded with {@linkcode encodeWireJson}.
 */
export function json<T, S extends ContentfulStatusCode>(
  c: Context,
  body: T,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  const res: Response = c.body(encodeWireJson(body), status, {
    "Content-Type": "application/json",
  });
  // Same runtime object c.json would give; only the phantom type differs.
  return res as unknown as Response & TypedResponse<JSONParsed<T>, S, "json">;
}
