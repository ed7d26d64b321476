/**
 * Generators of the HTTP fuzz test (tests/http_fuzz_test.ts): every operation of openapi.yaml,
 * read from the spec itself, plus the routes the spec does not list (the UI pages, unknown paths),
 * turned into fast-check arbitraries of whole requests. Each request is valid (built from the
 * operation's JSON schema, with ids drawn from entities the test seeded so that deep code paths
 * run) or hostile: wrong types, missing / extra / camelCase fields, huge strings, deep nesting,
 * astral and lone-surrogate unicode, control characters, non-finite and out-of-range numbers,
 * long IN lists, hostile filters and order_by clauses, forged page tokens, wrong content types,
 * garbage bodies, duplicate query keys, traversal-shaped artifact paths.
 *
 * @module
 */
import fc from "fast-check";
import { parse } from "yaml";
import { encodePageToken } from "../../store/page_token.ts";

// ---------------------------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------------------------

/** The subset of JSON schema openapi.yaml uses. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  minLength?: number;
  minItems?: number;
}

/** One query or path parameter of an operation. */
export interface Param {
  name: string;
  in: "query" | "path";
  required: boolean;
  schema: Schema;
}

/** One operation of openapi.yaml, with its refs left for the generators to resolve. */
export interface Operation {
  method: string;
  /** The templated path, e.g. `/api/2.0/mlflow/logged-models/{model_id}`. */
  path: string;
  params: Param[];
  /** The JSON body's schema; undefined for GETs and body-less calls. */
  body?: Schema;
  /** The body is raw bytes of any type (artifact uploads). */
  rawBody: boolean;
}

/** The parsed spec: its operations and its component schemas. */
export interface Spec {
  operations: Operation[];
  schemas: Record<string, Schema>;
}

/** Reads openapi.yaml (the file the route specs generate) into {@linkcode Spec}. */
export async function loadSpec(
  url = new URL("../../openapi.yaml", import.meta.url),
): Promise<Spec> {
  // deno-lint-ignore no-explicit-any
  const doc = parse(await Deno.readTextFile(url)) as any;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      // deno-lint-ignore no-explicit-any
      const op = item[method] as any;
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p: Param) => ({
          name: p.name,
          in: p.in,
          required: p.required === true,
          schema: p.schema ?? { type: "string" },
        })),
        body: content["application/json"]?.schema,
        rawBody: content["application/octet-stream"] !== undefined,
      });
    }
  }
  return { operations, schemas: doc.components?.schemas ?? {} };
}

// ---------------------------------------------------------------------------------------------
// JSON text with tokens JSON.stringify cannot write
// ---------------------------------------------------------------------------------------------

/** JSON text inserted verbatim: `NaN`, `1e309`, `-0`, 10,000 levels of `[`. */
export class Raw {
  constructor(readonly text: string) {}
}

/** A JSON value that may hold {@linkcode Raw} tokens. */
export type J = null | boolean | number | string | Raw | J[] | { [k: string]: J };

/** Serialises `v`; lone surrogates come out as `\udXXX` escapes (well-formed JSON.stringify). */
export function jsonText(v: J): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${
      Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(",")
    }}`;
  }
  return JSON.stringify(v) ?? "null";
}

// ---------------------------------------------------------------------------------------------
// The seeded entities
// ---------------------------------------------------------------------------------------------

/** Real entities of the app under test, so that generated requests reach past "not found". */
export interface IdPool {
  experimentIds: string[];
  experimentNames: string[];
  runIds: string[];
  metricKeys: string[];
  paramKeys: string[];
  tagKeys: string[];
  modelNames: string[];
  versions: string[];
  aliases: string[];
  loggedModelIds: string[];
  /** Files and directories relative to the artifact root (the proxy's paths). */
  artifactPaths: string[];
  /** Files and directories relative to a run's artifact root. */
  runArtifactPaths: string[];
}

// ---------------------------------------------------------------------------------------------
// Hostile leaves
// ---------------------------------------------------------------------------------------------

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

/** LIKE patterns that make a backtracking matcher explode. */
const likeBombs: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 3, max: 40 }).map((n) => "%a".repeat(n) + "%b"),
  fc.integer({ min: 3, max: 60 }).map((n) => "_%".repeat(n)),
  fc.constantFrom("%", "%%", "_", "\\%", "\\", "%\\", "[a-z]%", "(a+)+$", ".*.*.*"),
);

/** Paths that try to leave the artifact root once joined to it. */
const traversals: fc.Arbitrary<string> = fc.constantFrom(
  "..",
  ".",
  "../canary.txt",
  "../../canary.txt",
  "a/../../canary.txt",
  "/etc/passwd",
  "/",
  "//canary.txt",
  "..\\canary.txt",
  "..\\..\\canary.txt",
  "a/./b",
  "a//b",
  "%2e%2e/canary.txt",
  "..%2fcanary.txt",
  "C:\\Windows\\win.ini",
  "~/canary.txt",
  "file:///etc/passwd",
  "../root-sibling/file.txt",
  "a\0b",
  ".kvflow-upload-00000000-0000-0000-0000-000000000000",
);

/** Strings a careless parser or store mishandles. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  w(
    4,
    fc.constantFrom(256, 1000, 2049, 2050, 3000, 6001, 8001, 65_536, 100_000).map((n) =>
      "a".repeat(n)
    ),
  ),
  // Rare on purpose: a few MB per case is slow on a loaded machine.
  w(1, fc.constantFrom(2_100_000).map((n) => "b".repeat(n))),
  w(3, fc.string({ unit: "binary", maxLength: 40 })),
  w(
    3,
    fc.constantFrom(
      "😀".repeat(500),
      "\ud800",
      "a\udfffb",
      "\udbff\udfff",
      "\u2028\u2029",
      "\ufeff",
      "\u202e",
      "Ｎａｍｅ",
      "é".normalize("NFD"),
    ),
  ),
  w(
    3,
    fc.constantFrom(
      "\0",
      "a\0b",
      "a\r\nInjected: 1",
      "\n",
      "\r",
      "\x1b[2J",
      "\t",
      "\x7f",
      "\b\f",
    ),
  ),
  w(
    2,
    fc.constantFrom(
      "NaN",
      "Infinity",
      "-Infinity",
      "-0",
      "9223372036854775808",
      "1e308",
      "-1",
      "0x10",
      " 1",
      "1.5",
      "",
      " ",
    ),
  ),
  w(2, traversals),
  w(2, likeBombs),
  w(
    2,
    fc.constantFrom("'", '"', "`", "' OR '1'='1", "\\", "''", "%00", "${x}", "__proto__", "null"),
  ),
);

/**
 * A string just over (or far over) a limit: MLflow's lengths (250, 5000, 6000, 8000), KV's key
 * and value sizes (2 KiB, 64 KiB), file-name limits (255). Multi-byte characters make byte
 * length differ from length.
 */
export const longString: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(251, 256, 1000, 2049, 3000, 5001, 6001, 8001, 16_001, 65_537, 100_001),
  fc.constantFrom("a", "é", "😀", "a\0"),
).map(([n, ch]) => ch.repeat(Math.ceil(n / ch.length)));

/** Number tokens JSON.stringify cannot write or that overflow int64 / double. */
const hostileNumber: fc.Arbitrary<Raw> = fc.constantFrom(
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "-0.0",
  "9223372036854775808",
  "9223372036854775807",
  "-9223372036854775809",
  "18446744073709551616",
  "1e308",
  "1e309",
  "-1e308",
  "5e-324",
  "1e-400",
  "-1",
  "0.5",
  "1e21",
  "123456789012345678901234567890",
).map((t) => new Raw(t));

/** `depth` levels of arrays or objects around a scalar, as raw text (no recursion anywhere). */
function nested(depth: number, kind: "array" | "object"): Raw {
  return kind === "array"
    ? new Raw("[".repeat(depth) + "1" + "]".repeat(depth))
    : new Raw('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
}

const deepValue: fc.Arbitrary<Raw> = fc.tuple(
  fc.constantFrom(50, 1000, 2900, 5000, 20_000, 100_000),
  fc.constantFrom("array" as const, "object" as const),
).map(([d, k]) => nested(d, k));

/** Many small elements: the decoder's element count, not its depth. */
const wideValue: fc.Arbitrary<Raw> = fc.constantFrom(1000, 20_000, 150_000).map((n) =>
  new Raw(`[${"{},".repeat(n - 1)}{}]`)
);

/** Any JSON value that does not belong where it is put. */
export const hostileValue: fc.Arbitrary<J> = fc.oneof(
  w(6, hostileString),
  w(4, hostileNumber),
  w(2, fc.constantFrom<J>(true, false, null, [], {}, 0, 1, -1, 1.5)),
  w(1, fc.array(hostileString, { maxLength: 3 })),
  w(1, fc.dictionary(fc.string({ maxLength: 8 }), hostileString, { maxKeys: 3 })),
  w(1, deepValue),
  w(1, wideValue),
);

// ---------------------------------------------------------------------------------------------
// Search strings and page tokens
// ---------------------------------------------------------------------------------------------

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A filter of the search grammars: valid clauses, hostile literals, long IN lists, garbage. */
export function filterArb(pool: IdPool): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(
      ...pool.metricKeys.map((k) => `metrics.${k}`),
      ...pool.paramKeys.map((k) => `params.${k}`),
      ...pool.tagKeys.map((k) => `tags.${k}`),
      "attributes.start_time",
      "attributes.status",
      "attributes.run_name",
      "attributes.run_id",
      "name",
      "run_id",
      "version",
      "source_run_id",
      "tags.`mlflow.runName`",
      "datasets.name",
      "creation_timestamp",
      "last_update_time",
    ),
    fc.constantFrom(100, 3000, 10_000).map((n) => `tags.\`${"k".repeat(n)}\``),
    fc.constantFrom(100, 3000).map((n) => `metrics."${"m".repeat(n)}"`),
    hostileString.map((s) => `params.\`${s.replaceAll("`", "")}\``),
  );
  const literal = fc.oneof(
    fc.constantFrom(...pool.runIds, ...pool.experimentNames, ...pool.modelNames).map(quote),
    likeBombs.map(quote),
    hostileString.map(quote),
    fc.constantFrom("1", "-1", "0.5", "1e308", "1e309", "NaN", "9223372036854775808", "-0"),
  );
  const inList = fc.tuple(
    fc.constantFrom(1, 10, 1000, 10_000, 50_000),
    fc.constantFrom(...pool.runIds, "x"),
  ).map(([n, id]) =>
    `(${Array.from({ length: n }, (_, i) => quote(i === 0 ? id : `v${i}`)).join(", ")})`
  );
  const clause = fc.oneof(
    fc.tuple(key, fc.constantFrom("=", "!=", "<", ">", "<=", ">=", "LIKE", "ILIKE"), literal)
      .map(([k, o, l]) => `${k} ${o} ${l}`),
    fc.tuple(key, fc.constantFrom("IN", "NOT IN"), inList).map(([k, o, l]) => `${k} ${o} ${l}`),
    fc.tuple(key, fc.constantFrom("LIKE", "ILIKE"), likeBombs).map(([k, o, p]) =>
      `${k} ${o} ${quote(p)}`
    ),
    // The fields the seeded long names sit in, so that a backtracking matcher has work to do.
    fc.tuple(
      fc.constantFrom("name", "run_name", "attributes.run_name", "tags.note", "tags.`note`"),
      fc.constantFrom("LIKE", "ILIKE"),
      likeBombs,
    ).map(([k, o, p]) => `${k} ${o} ${quote(p)}`),
  );
  return fc.oneof(
    w(5, fc.array(clause, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(" AND "))),
    w(1, fc.array(clause, { minLength: 2, maxLength: 3 }).map((cs) => cs.join(" OR "))),
    w(1, clause.map((c) => `(${c})`)),
    w(
      1,
      fc.constantFrom(100, 5000, 50_000).map((n) => "(".repeat(n) + "name = 'a'" + ")".repeat(n)),
    ),
    w(1, fc.constantFrom(100, 2000).map((n) => Array(n).fill("name = 'a'").join(" AND "))),
    w(2, hostileString),
    w(
      1,
      fc.constantFrom(
        "name LIKE",
        "AND",
        "metrics.",
        "`",
        "'unterminated",
        "name = 'a' AND",
        "name IN ()",
        "name IN (",
        "tags.x IS NULL",
        ";DROP TABLE runs",
      ),
    ),
  );
}

/** order_by clauses: valid, backquoted huge keys, garbage. */
export function orderByArb(pool: IdPool): fc.Arbitrary<string> {
  return fc.oneof(
    w(
      3,
      fc.tuple(
        fc.constantFrom(
          "start_time",
          "attributes.start_time",
          "name",
          "creation_timestamp",
          "last_updated_timestamp",
          "experiment_id",
          "run_name",
          "version_number",
          ...pool.metricKeys.map((k) => `metrics.${k}`),
          ...pool.paramKeys.map((k) => `params.${k}`),
          ...pool.tagKeys.map((k) => `tags.${k}`),
        ),
        fc.constantFrom("", " ASC", " DESC", " asc", " sideways"),
      ).map(([k, d]) => k + d),
    ),
    w(1, fc.constantFrom(100, 3000, 10_000).map((n) => `metrics.\`${"k".repeat(n)}\` DESC`)),
    w(2, hostileString),
  );
}

/** Page tokens: garbage, and well-formed ones whose cursor says something absurd. */
export const pageTokenArb: fc.Arbitrary<string> = fc.oneof(
  w(2, hostileString),
  w(1, fc.constantFrom("abc", "!!!", "eyJ2IjoxfQ", "eyJ2IjoyfQ", "e30", "bnVsbA", "W10")),
  w(
    3,
    fc.record({
      offset: fc.constantFrom(undefined, 0, 1, 2 ** 53 - 1, 1_000_000_000),
      cursor: fc.option(
        fc.array(fc.oneof(fc.string({ maxLength: 3000 }), fc.integer()), {
          maxLength: 4,
        }),
        { nil: undefined },
      ),
      q: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      after: fc.option(
        fc.array(fc.oneof(fc.string(), fc.double(), fc.constant(null), fc.constant({})), {
          maxLength: 4,
        }),
        { nil: undefined },
      ),
    }).map((c) => encodePageToken(JSON.parse(JSON.stringify(c)))),
  ),
);

// ---------------------------------------------------------------------------------------------
// Valid values from a schema
// ---------------------------------------------------------------------------------------------

function plainString(minLength = 0): fc.Arbitrary<string> {
  return fc.string({ minLength: Math.max(minLength, 1), maxLength: 12 });
}

/**
 * A pick among `arrays` made when the value is generated, not when the arbitrary is built: the
 * test replaces deleted entities in the pool's arrays in place.
 */
function live(...arrays: string[][]): fc.Arbitrary<string> {
  return fc.nat({ max: 1 << 16 }).map((i) => {
    const all = arrays.flat();
    return all[i % all.length];
  });
}

/** A name nothing has yet (probably). */
const fresh: fc.Arbitrary<string> = fc.string({
  unit: "grapheme-ascii",
  minLength: 4,
  maxLength: 12,
})
  .map((s) => `fuzz-${s.replace(/[^A-Za-z0-9_-]/g, "_")}`);

/** Values for a string field, by its name (and its route's area): real ids and names. */
function namedString(name: string | undefined, ctx: Ctx): fc.Arbitrary<string> | undefined {
  const { pool, area } = ctx;
  switch (name) {
    case "experiment_id":
    case "experiment_ids":
      return live(pool.experimentIds);
    case "run_id":
    case "run_uuid":
    case "source_run_id":
    case "run_ids":
      return live(pool.runIds);
    case "model_id":
      return live(pool.loggedModelIds);
    case "artifact_location":
      return fc.constantFrom("mlflow-artifacts:/fuzz", "mlflow-artifacts:/fuzz/a b");
    case "new_name":
      return fresh;
    case "model_json":
      return live(pool.runIds).map((run_id) =>
        JSON.stringify({
          run_id,
          artifact_path: "model",
          utc_time_created: "2024-01-01 00:00:00.000000",
          flavors: { python_function: { loader_module: "x" } },
        })
      );
    case "field_name":
      return fc.constantFrom("creation_timestamp", "last_updated_timestamp", "name", "metrics.acc");
    case "name":
    case "experiment_name":
      if (ctx.creates && ctx.clean) {
        return fc.oneof(fresh, live(pool.experimentNames, pool.modelNames));
      }
      return area === "experiments"
        ? live(pool.experimentNames)
        : area === "models"
        ? live(pool.modelNames)
        : live(pool.experimentNames, pool.modelNames);
    case "key":
    case "metric_key":
    case "metric_keys":
    case "tag_key":
      return live(pool.metricKeys, pool.paramKeys, pool.tagKeys);
    case "version":
      return live(pool.versions);
    case "alias":
    case "aliases":
      return live(pool.aliases);
    case "artifact_path":
      return live(pool.artifactPaths);
    case "path":
      return live(pool.runArtifactPaths, pool.artifactPaths);
    case "source":
      return fc.tuple(
        live(pool.runIds),
        live(pool.loggedModelIds),
        live(pool.modelNames),
        fc.nat(2),
      )
        .map(([r, m, n, i]) => [`runs:/${r}/model`, `models:/${m}`, `models:/${n}/1`][i]);
    case "stage":
      return fc.constantFrom("None", "Staging", "Production", "Archived");
  }
  return undefined;
}

/** Strings that belong in a search field, by its name. */
function searchString(name: string | undefined, ctx: Ctx): fc.Arbitrary<string> | undefined {
  const { pool, clean } = ctx;
  switch (name) {
    case "filter":
    case "filter_string":
      return clean
        ? fc.constantFrom(
          "",
          "name = 'fuzz-exp'",
          "name LIKE '%fuzz%'",
          "name ILIKE '%A%'",
          "metrics.acc > 0",
          "params.lr = '0.1' AND tags.stage = 'train'",
          "attributes.status = 'RUNNING'",
          `run_id = '${pool.runIds[0]}'`,
          "tags.note LIKE '%a%'",
        )
        : filterArb(pool);
    case "order_by":
      if (!clean) return orderByArb(pool);
      switch (ctx.area) {
        case "runs":
          return fc.constantFrom("metrics.acc DESC", "start_time", "attributes.run_name ASC");
        case "experiments":
          return fc.constantFrom("name", "creation_time DESC", "last_update_time");
        default:
          return fc.constantFrom("name", "last_updated_timestamp DESC");
      }
    case "page_token":
      return clean ? fc.constant("") : pageTokenArb;
  }
  return undefined;
}

/** Context of {@linkcode validValue}: component schemas, seeded ids, recursion guard. */
interface Ctx {
  schemas: Record<string, Schema>;
  pool: IdPool;
  depth: number;
  /** Search strings that parse and no page token, for requests meant to succeed. */
  clean: boolean;
  /** Which entities a `name` field names, from the operation's path. */
  area?: "experiments" | "models" | "runs" | "logged";
  /** The operation creates or renames: a `name` may be new. */
  creates?: boolean;
}

function resolve(schema: Schema, schemas: Record<string, Schema>): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) s = schemas[s.$ref.split("/").pop()!] ?? {};
  return s;
}

/** A value `schema` accepts, mostly: real ids by field name, search strings that parse. */
export function validValue(schema: Schema, name: string | undefined, ctx: Ctx): fc.Arbitrary<J> {
  const s = resolve(schema, ctx.schemas);
  if (ctx.depth > 8) return fc.constant(null);
  const sub = { ...ctx, depth: ctx.depth + 1 };
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map((a) => validValue(a, name, sub)));
  if (s.enum) return fc.constantFrom(...(s.enum as J[]));
  switch (s.type) {
    case "string": {
      const search = searchString(name, ctx);
      if (search) return fc.oneof(w(2, search), w(1, fc.constant("")));
      const named = namedString(name, ctx);
      return named
        ? fc.oneof(w(6, named), w(1, plainString(s.minLength)))
        : plainString(s.minLength);
    }
    case "integer": {
      const n = name === "max_results"
        ? (ctx.clean
          ? fc.integer({ min: 1, max: 1000 })
          : fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(50_000, 1_000_000)))
        : /time|timestamp/.test(name ?? "")
        ? fc.integer({ min: 0, max: 2_000_000_000_000 })
        : fc.integer({ min: -5, max: 1000 });
      // int64 fields also arrive as strings, as protobuf's JSON writes them.
      return s.format === "int64" ? fc.oneof(w(3, n), w(1, n.map(String))) : n;
    }
    case "number":
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom<J>("NaN", "Infinity", "-Infinity"),
      );
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = s.items ?? { type: "string" };
      // A singular name for the items, so `experiment_ids` items are experiment ids.
      return fc.array(validValue(items, name, sub), {
        minLength: s.minItems ?? 0,
        maxLength: 4,
      });
    }
    case "object":
    default: {
      const props = s.properties ?? {};
      const model: Record<string, fc.Arbitrary<J>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = validValue(v, k, sub);
      const record = fc.record(model, { requiredKeys: s.required ?? [] }) as fc.Arbitrary<J>;
      if (typeof s.additionalProperties === "object") {
        const extra = fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          validValue(s.additionalProperties, undefined, sub),
          { maxKeys: 3 },
        );
        return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...(r as object) }) as J);
      }
      return record;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of a valid body
// ---------------------------------------------------------------------------------------------

/** The number of nodes of `v` below its root. */
function countNodes(v: J): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + 1 + countNodes(x), 0);
  if (v !== null && typeof v === "object" && !(v instanceof Raw)) {
    return Object.values(v).reduce<number>((n, x) => n + 1 + countNodes(x), 0);
  }
  return 0;
}

/**
 * `v` with its `n`-th node (pre-order, root excluded) replaced by `by(node)`, so a string can be
 * swapped for a hostile string and a number for a hostile number.
 */
function replaceNode(v: J, n: number, by: (node: J) => J): J {
  let left = n;
  const pick = (c: J) => left-- === 0 ? by(c) : left < 0 ? c : walk(c);
  const walk = (x: J): J => {
    if (Array.isArray(x)) return x.map(pick);
    if (x !== null && typeof x === "object" && !(x instanceof Raw)) {
      return Object.fromEntries(Object.entries(x).map(([k, c]) => [k, pick(c)]));
    }
    return x;
  };
  return walk(v);
}

/** `v` with its `n`-th string leaf (pre-order) replaced by `by`; `v` itself if it has none. */
function replaceString(v: J, n: number, by: string): J {
  let count = 0;
  const countWalk = (x: J): void => {
    if (typeof x === "string") count++;
    else if (Array.isArray(x)) x.forEach(countWalk);
    else if (x !== null && typeof x === "object" && !(x instanceof Raw)) {
      Object.values(x).forEach(countWalk);
    }
  };
  countWalk(v);
  if (count === 0) return v;
  let left = n % count;
  const walk = (x: J): J => {
    if (typeof x === "string") return left-- === 0 ? by : x;
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === "object" && !(x instanceof Raw)) {
      return Object.fromEntries(Object.entries(x).map(([k, c]) => [k, walk(c)]));
    }
    return x;
  };
  return walk(v);
}

const toCamel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelKeys(v: J): J {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v !== null && typeof v === "object" && !(v instanceof Raw)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [toCamel(k), camelKeys(x)]));
  }
  return v;
}

function isObject(v: J): v is { [k: string]: J } {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Raw);
}

/** Bodies that are not JSON objects, or not JSON at all. */
const garbageBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(
    "",
    "null",
    "[]",
    "[1,2]",
    "1",
    '"x"',
    "true",
    "{",
    '{"a":',
    "}",
    '{"experiment_id": }',
    '"{\\"experiment_id\\": \\"0\\"}"',
    '"\\"{}\\""',
    '{"a":1,"a":2}',
    "\ufeff{}",
    "\0",
    "{}\n{}",
    "NaN",
    " ".repeat(100_000),
  ),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }),
);

/** The JSON body of an operation: valid, mutated or garbage. */
function bodyArb(op: Operation, ctx: Ctx): fc.Arbitrary<string | Uint8Array> {
  const valid = validValue(op.body!, undefined, ctx);
  const text = (a: fc.Arbitrary<J>) => a.map(jsonText);
  // One node replaced by anything, or by a hostile value of its own type: the latter passes
  // type checks and reaches the store (a 3,000-char tag key, a NaN metric).
  const mutated = fc.tuple(
    valid,
    hostileValue,
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.nat(),
  )
    .map(([v, any, str, num, typed, n]) => {
      const count = countNodes(v);
      if (count === 0) return any;
      return replaceNode(
        v,
        n % count,
        (node) =>
          !typed ? any : typeof node === "string" ? str : typeof node === "number" ? num : any,
      );
    });
  // One string field made long: where size limits (and KV's key and value caps) bite.
  const lengthened = fc.tuple(valid, longString, fc.nat()).map(([v, l, n]) =>
    replaceString(v, n, l)
  );
  const dropped = fc.tuple(valid, fc.nat()).map(([v, n]) => {
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 0) return v;
    const out = { ...v };
    delete out[keys[n % keys.length]];
    return out;
  });
  const extra = fc.tuple(
    valid,
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constant("__proto__")), hostileValue, {
      minKeys: 1,
      maxKeys: 3,
    }),
  ).map(([v, e]) => (isObject(v) ? { ...e, ...v } : v));
  const camel = fc.tuple(valid, fc.boolean()).map(([v, both]) =>
    both && isObject(v) ? { ...(camelKeys(v) as object), ...v } as J : camelKeys(v)
  );
  const deepField = fc.tuple(valid, deepValue).map(([v, d]) =>
    isObject(v) && Object.keys(v).length ? { ...v, [Object.keys(v)[0]]: d } : d
  );
  return fc.oneof(
    w(4, text(valid)),
    w(6, text(mutated)),
    w(4, text(lengthened)),
    w(1, text(dropped)),
    w(1, text(extra)),
    w(1, text(camel)),
    w(1, text(deepField)),
    w(1, text(deepValue)),
    w(1, wideValue.map((r) => `{"x":${r.text}}`)),
    w(1, garbageBody),
  );
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

/**
 * Percent-encodes `s` as UTF-8, except that a lone surrogate becomes the three bytes a naive
 * encoder writes (`%ED%A0%80`): invalid UTF-8, which `encodeURIComponent` refuses to make.
 */
export function encodeComponent(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Raw URL fragments: malformed escapes, invalid UTF-8, encoded separators and dots. */
const rawUrlPiece: fc.Arbitrary<string> = fc.constantFrom(
  "%",
  "%zz",
  "%FF",
  "%C0%AF",
  "%ED%A0%80",
  "%00",
  "%0D%0AInjected:%201",
  "%2F",
  "%2e%2e",
  "%2e%2e%2f%2e%2e%2fcanary.txt",
  "..%5c..%5ccanary.txt",
  "+",
  "%20",
  "a%2Fb",
);

/** A query value or path segment: encoded text, or a raw fragment appended. */
function urlValue(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    w(8, text.map(encodeComponent)),
    w(1, fc.tuple(text, rawUrlPiece).map(([t, r]) => encodeComponent(t) + r)),
    w(1, rawUrlPiece),
  );
}

/** An artifact path in a URL: a real one, or traversal-shaped segments, encoded or raw. */
function artifactPathArb(pool: IdPool): fc.Arbitrary<string> {
  const segs = (p: string) => p.split("/").map(encodeComponent).join("/");
  return fc.oneof(
    w(4, live(pool.artifactPaths).map(segs)),
    w(
      2,
      fc.tuple(live(pool.artifactPaths), fc.string({ minLength: 1, maxLength: 10 }))
        .map(([p, f]) => `${segs(p)}/${encodeComponent(f)}`),
    ),
    w(2, traversals.map(segs)),
    w(1, hostileString.map(encodeComponent)),
    w(1, fc.constantFrom(256, 300, 4096).map((n) => `${"s".repeat(n)}/f.txt`)),
    w(1, fc.constantFrom(1000, 2100).map((n) => Array(n).fill("d").join("/") + "/f.txt")),
    w(1, rawUrlPiece.map((r) => `a/${r}/b`)),
  );
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** One request of the fuzz test, ready for `app.request(path, { method, headers, body })`. */
export interface FuzzRequest {
  method: string;
  /** Path and query string, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The templated path it came from, for grouping failures. */
  route: string;
}

function short(s: string, n = 300): string {
  return s.length <= n ? s : `${s.slice(0, n)}…(${s.length} chars)`;
}

/** A one-line, length-capped description of `req` (for failure reports and fast-check). */
export function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined
    ? ""
    : typeof req.body === "string"
    ? ` body=${JSON.stringify(short(req.body))}`
    : ` body=<${req.body.byteLength} bytes>`;
  const headers = Object.keys(req.headers).length ? ` headers=${JSON.stringify(req.headers)}` : "";
  return `${req.method} ${short(req.path)}${headers}${body}`;
}

function request(
  method: string,
  path: string,
  route: string,
  headers: Record<string, string> = {},
  body?: string | Uint8Array,
): FuzzRequest {
  const req: FuzzRequest = { method, path, headers, route };
  if (body !== undefined) req.body = body;
  // fast-check prints counterexamples with this, instead of a 2 MB string.
  Object.defineProperty(req, fc.toStringMethod, { value: () => describeRequest(req) });
  return req;
}

const jsonContentType: fc.Arbitrary<Record<string, string>> = fc.oneof(
  w(14, fc.constant({ "Content-Type": "application/json" })),
  w(
    1,
    fc.constantFrom<Record<string, string>>(
      {},
      { "Content-Type": "text/plain" },
      { "Content-Type": "application/json; charset=utf-8" },
      { "Content-Type": "APPLICATION/JSON" },
      { "Content-Type": "application/json; charset=utf-16" },
      { "Content-Type": "multipart/form-data; boundary=x" },
      { "Content-Type": "application/x-www-form-urlencoded" },
      { "Content-Type": "application/jsonx" },
      { "Content-Type": "application/json", "Content-Encoding": "gzip" },
      { "Content-Type": "application/json", "Accept-Encoding": "gzip" },
    ),
  ),
);

const rangeHeader: fc.Arbitrary<Record<string, string>> = fc.oneof(
  w(4, fc.constant({})),
  w(
    1,
    fc.constantFrom(
      "bytes=0-3",
      "bytes=-2",
      "bytes=5-",
      "bytes=9-1",
      "bytes=0-1,2-3",
      "bytes=99999999999999999999-",
      "bytes=-0",
      "items=0-1",
      "bytes=",
      "garbage",
    ).map((r) => ({ Range: r })),
  ),
);

/** Raw upload bytes: small text, binary, rarely up to ~1 MB. */
const rawBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  w(4, fc.string({ maxLength: 100 })),
  w(2, fc.uint8Array({ maxLength: 500 })),
  w(1, fc.constantFrom(0, 100_000, 1_000_000).map((n) => new Uint8Array(n))),
);

const OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Swaps the `/api/` prefix for the `/ajax-api/` mirror a quarter of the time. */
function withMirror(path: string, mirror: boolean): string {
  return mirror && path.startsWith("/api/") ? `/ajax-api/${path.slice(5)}` : path;
}

/** The query-string part: each parameter valid, hostile or absent; duplicates; unknown keys. */
function queryArb(params: Param[], ctx: Ctx): fc.Arbitrary<string> {
  const parts = params.map((p) => {
    const valid = validValue(p.schema, p.name, ctx).map((v) =>
      typeof v === "string" ? v : v instanceof Raw ? v.text : JSON.stringify(v)
    );
    const value = fc.oneof(
      w(6, valid),
      w(3, hostileString),
      w(2, longString),
      w(1, fc.constantFrom("NaN", "-1", "1e308", "9223372036854775808", "-0", "true", "[]")),
    );
    return fc.oneof(
      w(8, urlValue(value).map((v) => [`${p.name}=${v}`])),
      w(p.required ? 1 : 3, fc.constant<string[]>([])),
      w(
        1,
        fc.tuple(urlValue(value), urlValue(value)).map((
          [a, b],
        ) => [`${p.name}=${a}`, `${p.name}=${b}`]),
      ),
      w(1, fc.constant([p.name])),
      w(1, urlValue(value).map((v) => [`${toCamel(p.name)}=${v}`])),
    );
  });
  const extra = fc.oneof(
    w(6, fc.constant<string[]>([])),
    w(
      1,
      fc.tuple(urlValue(fc.string({ maxLength: 8 })), urlValue(hostileString)).map((
        [k, v],
      ) => [`${k}=${v}`]),
    ),
    w(1, fc.constant(["&&=&"])),
  );
  return fc.tuple(fc.tuple(...parts), extra, fc.boolean()).map(([ps, e, shuffle]) => {
    const all = [...ps.flat(), ...e];
    if (shuffle) all.reverse();
    return all.length ? `?${all.join("&")}` : "";
  });
}

/** Requests for one operation of the spec: meant to succeed, or hostile. */
function operationArb(op: Operation, base: Ctx): fc.Arbitrary<FuzzRequest> {
  const area = /registered-models|model-versions/.test(op.path)
    ? "models"
    : /experiments/.test(op.path)
    ? "experiments"
    : /logged-models/.test(op.path)
    ? "logged"
    : /runs\//.test(op.path)
    ? "runs"
    : undefined;
  const creates = /\/create$|rename$|logged-models$/.test(op.path);
  const ctx = { ...base, area, creates } as Ctx;
  return fc.oneof(
    w(2, cleanOperationArb(op, { ...ctx, clean: true })),
    w(3, hostileOperationArb(op, ctx)),
  );
}

/** A request the operation should accept: every field valid, ids real (mostly). */
function cleanOperationArb(op: Operation, ctx: Ctx): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const pathArb = fc.tuple(
    ...pathParams.map((p) =>
      validValue(p.schema, p.name, ctx).map((v) =>
        p.name === "artifact_path"
          ? String(v).split("/").map(encodeComponent).join("/")
          : encodeComponent(String(v))
      )
    ),
  ).map((values) => {
    let path = op.path;
    pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, values[i])));
    return path;
  });
  const query = fc.tuple(
    ...queryParams.map((p) => {
      const value = validValue(p.schema, p.name, ctx).map((v) =>
        Array.isArray(v)
          ? v.map((x) => `${p.name}=${encodeComponent(String(x))}`)
          : [`${p.name}=${encodeComponent(String(v))}`]
      );
      return p.required ? value : fc.oneof(value, fc.constant<string[]>([]));
    }),
  ).map((parts) => {
    const all = parts.flat();
    return all.length ? `?${all.join("&")}` : "";
  });
  const body = op.body
    ? validValue(op.body, undefined, ctx).map(jsonText)
    : op.rawBody
    ? fc.string({ maxLength: 100 })
    : fc.constant(undefined);
  return fc.tuple(pathArb, query, body, fc.nat(3)).map(([path, q, b, mirror]) =>
    request(
      op.method,
      withMirror(path, mirror === 0) + q,
      op.path,
      b === undefined || op.method === "GET" ? {} : jsonHeaders,
      op.method === "GET" ? undefined : b,
    )
  );
}

/** A hostile request for the operation: one or more fields, headers or the method wrong. */
function hostileOperationArb(op: Operation, ctx: Ctx): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const pathArb = fc.tuple(
    ...pathParams.map((p) =>
      p.name === "artifact_path" ? artifactPathArb(ctx.pool) : urlValue(
        fc.oneof(
          w(6, validValue(p.schema, p.name, ctx).map(String)),
          w(2, hostileString),
          w(1, longString),
        ),
      )
    ),
  ).map((values) => {
    let path = op.path;
    pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, values[i])));
    return path;
  });
  const method = fc.oneof(w(19, fc.constant(op.method)), w(1, fc.constantFrom(...OTHER_METHODS)));
  const body = op.body
    ? bodyArb(op, ctx)
    : op.rawBody
    ? rawBody
    : fc.constant<string | Uint8Array | undefined>(undefined);
  const headers = op.rawBody
    ? fc.oneof(
      fc.constant({}),
      fc.constantFrom("application/octet-stream", "text/plain", "application/json", "image/png")
        .map((t) => ({ "Content-Type": t })),
    )
    : op.body
    ? jsonContentType
    : rangeHeader;
  return fc.tuple(
    method,
    pathArb,
    queryArb(queryParams, ctx),
    headers,
    body,
    fc.nat(3),
  ).map(([m, path, query, h, b, mirror]) => {
    // Requests without a body by nature drop it (fetch refuses a GET body).
    const sendsBody = m !== "GET" && m !== "OPTIONS" && b !== undefined;
    return request(
      m,
      withMirror(path, mirror === 0) + query,
      op.path,
      sendsBody ? h : (m === "GET" ? h : {}),
      sendsBody ? b : undefined,
    );
  });
}

/** The UI pages, with hostile ids and search parameters. */
function uiArb(pool: IdPool): fc.Arbitrary<FuzzRequest> {
  const text = (a: fc.Arbitrary<string>) => urlValue(a);
  const id = (ids: string[]) => text(fc.oneof(w(4, live(ids)), w(1, hostileString)));
  const filter = text(fc.oneof(filterArb(pool), likeBombs, hostileString, longString));
  const view = fc.constantFrom("", "&view=all", "&view=deleted", "&view=x");
  const page = fc.oneof(
    fc.tuple(filter, view).map(([f, v]) => [`/?filter=${f}${v}`, "/"]),
    fc.tuple(id(pool.experimentIds), filter, text(orderByArb(pool)), view, text(hostileString))
      .map(([e, f, o, v, c]) => [
        `/experiments/${e}?filter=${f}&order=${o}${v}&col=${c}&sel=${c}`,
        "/experiments/:id",
      ]),
    id(pool.runIds).map((r) => [`/runs/${r}`, "/runs/:id"]),
    fc.array(id(pool.runIds), { maxLength: 3 }).map((rs) => [
      `/compare?runs=${rs.join(",")}&${rs.map((r) => `run=${r}`).join("&")}`,
      "/compare",
    ]),
    fc.tuple(text(fc.oneof(filterArb(pool), hostileString)), text(pageTokenArb)).map((
      [q, t],
    ) => [`/models?q=${q}&page_token=${t}`, "/models"]),
    id(pool.modelNames).map((n) => [`/models/${n}`, "/models/:name"]),
    fc.tuple(text(fc.oneof(filterArb(pool), hostileString)), text(pageTokenArb)).map((
      [q, t],
    ) => [`/prompts?q=${q}&page_token=${t}`, "/prompts"]),
    fc.tuple(id(pool.modelNames), text(fc.oneof(fc.constantFrom("1", "2", "0"), hostileString)))
      .map(([n, v]) => [`/prompts/${n}?diff=${v}&to=${v}`, "/prompts/:name"]),
    id(pool.loggedModelIds).map((m) => [`/logged-models/${m}`, "/logged-models/:id"]),
    text(fc.oneof(fc.constantFrom("styles.css", "client.js", "favicon.svg"), hostileString))
      .map((f) => [`/static/${f}`, "/static/:file"]),
  );
  return fc.tuple(page, fc.constantFrom("GET", "GET", "GET", "HEAD", "POST")).map(([[p, r], m]) =>
    request(m, p, r)
  );
}

const jsonHeaders = { "Content-Type": "application/json" };

/** Routes outside the spec's operations: probes, the spec itself, unknown paths. */
const miscArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.constantFrom("/health", "/version", "/openapi.json").map((p) => request("GET", p, p)),
  fc.tuple(
    fc.constantFrom(
      "/api/2.0/mlflow/",
      "/api/2.0/mlflow/nope",
      "/ajax-api/2.0/mlflow/runs",
      "/api/2.0/preview/mlflow/runs/get",
      "/api/2.0/mlflow-artifacts/",
      "/api/2.0/mlflow-artifacts/mpu/",
      "/api/",
      "/ajax-api/",
    ),
    urlValue(hostileString),
    fc.constantFrom(...OTHER_METHODS),
  ).map(([p, s, m]) =>
    request(
      m,
      p + s,
      "unknown",
      m === "GET" || m === "OPTIONS" ? {} : jsonHeaders,
      m === "GET" || m === "OPTIONS" ? undefined : "{}",
    )
  ),
);

/** One arbitrary per operation of the spec (valid and hostile requests), in the spec's order. */
export function operationArbs(spec: Spec, pool: IdPool): fc.Arbitrary<FuzzRequest>[] {
  const ctx: Ctx = { schemas: spec.schemas, pool, depth: 0, clean: false };
  return spec.operations.map((op) => operationArb(op, ctx));
}

/** Every request the fuzz test sends: spec operations (most), UI pages, probes, unknown paths. */
export function requestArb(spec: Spec, pool: IdPool): fc.Arbitrary<FuzzRequest> {
  const ops = operationArbs(spec, pool);
  return fc.oneof(
    w(24, fc.oneof(...ops)),
    w(3, uiArb(pool)),
    w(1, miscArb),
  );
}
