/**
 * Wire building blocks shared by every resource: the error body, request field types that accept
 * everything MLflow clients send (mlflow-rest.md §1.2), and the `Wire<T>` type that says how a store
 * entity looks once encoded (§1.3).
 *
 * Request fields coerce inside zod (`z.preprocess`) so the same schema serves a JSON body and a
 * query string, where every value arrives as a string. The OpenAPI document shows the canonical type.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";

/** `{error_code, message}`: every non-2xx JSON body (a 5xx but 501 also names its request id). */
export const ErrorBodySchema = z.object({
  error_code: z.string().openapi({
    example: "RESOURCE_DOES_NOT_EXIST",
    description: "MLflow's error code, e.g. INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS, " +
      "RESOURCE_DOES_NOT_EXIST, UNAUTHENTICATED, PERMISSION_DENIED, TEMPORARILY_UNAVAILABLE",
  }),
  message: z.string().openapi({ description: "What went wrong, for a person to read" }),
  request_id: z.string().optional().openapi({
    description: "Set on 5xx replies (but 501): the request id the server's log has the " +
      "details under, also in the message and the `X-Request-Id` header",
  }),
}).openapi("ApiError");

/** `{}`: the reply of every write that returns nothing. */
export const EmptySchema = z.object({}).openapi("Empty");

/** The strings MLflow uses for non-finite doubles, in both directions. */
export const NON_FINITE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity } as const;
export type NonFinite = keyof typeof NON_FINITE;

const isNumber = (v: unknown): v is number => typeof v === "number";
const INT_RE = /^\s*-?\d+\s*$/;
const FLOAT_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** int64: a JSON number or a numeric string (proto JSON and query strings send both). */
export const Int64 = z.preprocess(
  (v) => typeof v === "string" && INT_RE.test(v) ? Number(v) : v,
  z.number().int(),
).openapi({ type: "integer", format: "int64" });

/**
 * double: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". Booleans are refused
 * (Python's `True` is an int, but MLflow's spec says a metric value is a number).
 */
export const Double = z.preprocess(
  (v) => {
    if (typeof v !== "string") return v;
    if (v in NON_FINITE) return NON_FINITE[v as NonFinite];
    return FLOAT_RE.test(v) ? Number(v) : v;
  },
  z.custom<number>(isNumber).openapi({ type: "number" }),
).openapi({
  type: "number",
  description: 'A double; NaN and ±Infinity may be sent as "NaN", "Infinity", "-Infinity".',
});

/** A double as the server sends it: non-finite values are strings. */
export const WireDouble = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])]);

/** bool: a JSON boolean, or `true` / `false` in any case (the Python client sends `True`). */
export const Bool = z.preprocess(
  (v) => typeof v === "string" && /^(true|false)$/i.test(v) ? v.toLowerCase() === "true" : v,
  z.boolean(),
);

/** An id string; numbers are accepted because 3.6 clients stringify numeric ids late. */
export const Id = z.preprocess(
  (v) => typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v,
  z.string(),
);

/** A required id: absent and `""` both read as missing. */
export const RequiredId = z.preprocess(
  (v) => typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v,
  z.string().min(1),
);

/** A required string: absent and `""` both read as missing, as in MLflow's `_assert_required`. */
export const RequiredString = z.string().min(1);

/** A repeated field: a single query-string occurrence still yields a list. */
export function repeated<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => v === undefined || Array.isArray(v) ? v : [v], z.array(item));
}

/**
 * A proto enum: accepted by name or by number (also as a numeric string); always yields the name.
 * Unknown names and numbers are rejected (MLflow silently ignores them; see §11).
 */
export function protoEnum<const N extends readonly [string, ...string[]]>(names: N) {
  return z.preprocess((v) => {
    const n = typeof v === "string" && INT_RE.test(v) ? Number(v) : v;
    // Proto enum numbers start at 1 in MLflow's tracking protos, in declaration order.
    return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= names.length
      ? names[n - 1]
      : n;
  }, z.enum(names));
}

export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
export const VIEW_TYPES = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const;

/** `ViewType` in a request. */
export const ViewTypeInput = protoEnum(VIEW_TYPES).openapi({
  type: "string",
  enum: [...VIEW_TYPES],
});

/** `max_results` in a request; the range is checked by the store. */
export const MaxResults = Int64.optional();

/** `page_token` in a request: opaque, made by the store. */
export const PageToken = z.string().optional();

/**
 * A paged reply: one page of `item`s under `key` (omitted when empty, as every empty list is) and
 * `next_page_token`, present only when another page exists. Every search and paged read replies so.
 */
export function pageResponse<K extends string, T extends z.ZodType>(key: K, item: T) {
  const items = { [key]: z.array(item).optional() } as { [P in K]: z.ZodOptional<z.ZodArray<T>> };
  return z.object({ ...items, next_page_token: z.string().optional() });
}

/** A tag in a response. */
export const TagSchema = z.object({ key: z.string(), value: z.string() }).openapi("Tag");

/**
 * The fields of a key/value pair in a request (a tag, a param): the key is required, a missing
 * value is `""`, as proto2 defaults it. Spread into requests that carry one pair inline.
 */
export const keyValueFields = { key: RequiredString, value: z.string().default("") };

/** A tag in a request (see {@linkcode keyValueFields}). */
export const TagInput = z.object(keyValueFields);

/** A param in a request (see {@linkcode keyValueFields}). */
export const ParamInput = z.object(keyValueFields);

/** The lifecycle of experiments and runs. */
export const LifecycleStageSchema = z.enum(["active", "deleted"]).openapi("LifecycleStage");

type ArrayKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends readonly unknown[] ? K : never }[
  keyof T
];

/**
 * A store entity as it appears on the wire: empty lists are omitted (so every list is optional),
 * and a double named `value` may be one of the non-finite strings. Response schemas are pinned to
 * it with `satisfies z.ZodType<Wire<T>>`.
 */
export type Wire<T> = T extends readonly (infer U)[] ? Wire<U>[]
  : T extends object ?
      & {
        [K in keyof T as K extends ArrayKeys<T> ? never : K]: K extends "value" ? WireValue<T[K]>
          : Wire<T[K]>;
      }
      & { [K in keyof T as K extends ArrayKeys<T> ? K : never]?: Wire<T[K]> }
  : T;
type WireValue<V> = V extends number ? number | NonFinite : Wire<V>;
