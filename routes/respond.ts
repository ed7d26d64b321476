/**
 * JSON replies in MLflow's proto-JSON shape (mlflow-rest.md §1.3).
 *
 * @module
 */
import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import { WorkBudget } from "../store/search/budget.ts";

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

/** Bytes of `text` in UTF-8, without encoding it (JSON text has no lone surrogates). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 2 bytes below U+0800, 3 above; a surrogate pair is 2 units and 4 bytes.
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
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
  const text = encodeWireJson(body);
  const res: Response = c.body(text, status, {
    "Content-Type": "application/json",
    // Deno would compute it too, but only here can the request log learn it (monitoring/).
    "Content-Length": String(utf8Length(text)),
  });
  // Same runtime object c.json would give; only the phantom type differs.
  return res as unknown as Response & TypedResponse<JSONParsed<T>, S, "json">;
}

/**
 * How long a stream may encode before it pauses for the event loop. Pausing after every slice
 * cost ~60 ms on a 100k-point history (timers nested this deep are clamped to 4 ms); pausing by
 * time keeps other requests' wait as short while costing a fast reply almost nothing.
 */
const STREAM_SLICE_MS = 10;

/** Most list items encoded in one go by {@linkcode jsonListStream} (a few ms of work). */
const STREAM_SLICE_ITEMS = 2000;

/**
 * A 200 JSON reply `{"<field>": [...items], ...trailer}` written chunk by chunk, in constant
 * memory: each chunk of `chunks` is encoded and sent in slices of at most
 * {@linkcode STREAM_SLICE_ITEMS} items, pausing for the event loop every
 * {@linkcode STREAM_SLICE_MS}. `trailer` is called once every chunk is out (it may report where the list stopped,
 * e.g. a page token); its fields follow the list. As in {@linkcode encodeWireJson}, an empty
 * list is omitted. Errors before the first chunk should be thrown by the caller beforehand, since
 * the status line is sent with the first byte; a later error aborts the body.
 */
export function jsonListStream(
  field: string,
  chunks: AsyncIterable<readonly unknown[]>,
  trailer: () => Record<string, unknown>,
): Response {
  const encoder = new TextEncoder();
  const it = chunks[Symbol.asyncIterator]();
  let opened = false;
  // The chunk being written and how far: a chunk is sent in slices, a macrotask apart.
  let pending: readonly unknown[] = [];
  let at = 0;
  // The searches' pacing, with no time limit: a long reply is slow to send, not too much work.
  const pacer = new WorkBudget(Infinity, STREAM_SLICE_MS);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing is not called again.
      for (;;) {
        if (at < pending.length) {
          const slice = pending.slice(at, at + STREAM_SLICE_ITEMS);
          at += slice.length;
          const items = encodeWireJson(slice).slice(1, -1);
          const head = opened ? "," : `{${JSON.stringify(field)}:[`;
          opened = true;
          controller.enqueue(encoder.encode(head + items));
          await pacer.step();
          return;
        }
        const next = await it.next();
        if (next.done) {
          const rest = encodeWireJson(trailer()).slice(1, -1);
          const head = opened ? "]" : "{";
          const sep = opened && rest !== "" ? "," : "";
          controller.enqueue(encoder.encode(`${head}${sep}${rest}}`));
          controller.close();
          return;
        }
        pending = next.value;
        at = 0;
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
}
