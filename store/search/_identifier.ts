/**
 * Resolves `type.key` identifiers of the runs grammar (filter and order_by) to a typed target,
 * applying MLflow's entity-type and attribute aliases.
 *
 * @module
 */

import { MAX_KEY_LENGTH } from "../limits.ts";
import type { Token, TokenStream } from "./_tokenizer.ts";

/** String-valued run attributes, by their canonical names. */
export type StringAttributeKey = "run_id" | "run_name" | "status" | "user_id" | "artifact_uri";
/** Numeric run attributes (milliseconds), by their canonical names. */
export type NumericAttributeKey = "start_time" | "end_time";
/** Fields of a run's dataset inputs; `context` is the `mlflow.data.context` input tag. */
export type DatasetKey = "name" | "digest" | "context";

/** What an identifier refers to, with aliases already resolved. */
export type RunIdentifier =
  | { kind: "metric"; key: string }
  | { kind: "param"; key: string }
  | { kind: "tag"; key: string }
  | { kind: "string_attribute"; key: StringAttributeKey }
  | { kind: "numeric_attribute"; key: NumericAttributeKey }
  | { kind: "dataset"; key: DatasetKey };

type Entity = "metric" | "param" | "tag" | "attribute" | "dataset";

// Case-sensitive, as MLflow compares them verbatim (`METRICS.x` is an error there too).
const ENTITY_ALIASES = new Map<string, Entity>([
  ["metric", "metric"],
  ["metrics", "metric"],
  ["param", "param"],
  ["params", "param"],
  ["parameter", "param"],
  ["parameters", "param"],
  ["tag", "tag"],
  ["tags", "tag"],
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["attr", "attribute"],
  ["run", "attribute"],
  ["dataset", "dataset"],
  ["datasets", "dataset"],
]);

const ATTRIBUTE_ALIASES = new Map<string, StringAttributeKey | NumericAttributeKey>([
  ["run_id", "run_id"],
  ["run_name", "run_name"],
  ["run name", "run_name"],
  ["Run name", "run_name"],
  ["Run Name", "run_name"],
  ["status", "status"],
  ["user_id", "user_id"],
  ["artifact_uri", "artifact_uri"],
  ["start_time", "start_time"],
  ["created", "start_time"],
  ["Created", "start_time"],
  ["end_time", "end_time"],
]);

const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(["start_time", "end_time"]);
const DATASET_KEYS: ReadonlySet<string> = new Set(["name", "digest", "context"]);

/**
 * `key`, unless it is longer than any metric, param, tag or attribute name can be (MLflow's
 * limit): then none can match, and refusing it keeps it out of the database lookups it would
 * otherwise become.
 */
function checkKeyLength(ts: TokenStream, tok: Token, key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  const n = Array.from(key).length;
  if (n <= MAX_KEY_LENGTH) return key;
  throw ts.error(
    `the key '${key.slice(0, 50)}…' is ${n} characters long; keys have at most ` +
      `${MAX_KEY_LENGTH} characters`,
    tok,
  );
}

/**
 * Splits a name token at its first dot into an optional type part and the key. Unquoted keys may
 * contain dots (`tags.mlflow.runName`); a quoted key must be the whole key. A key over
 * {@linkcode MAX_KEY_LENGTH} characters is refused (`INVALID_PARAMETER_VALUE`).
 */
export function splitName(
  ts: TokenStream,
  tok: Token,
): { type?: string; key: string } {
  if (tok.type !== "name") throw ts.error(`expected an identifier, found '${tok.raw}'`, tok);
  const [first, ...rest] = tok.parts;
  if (rest.length === 0) return { key: checkKeyLength(ts, tok, first.text) };
  if (rest.length > 1 && rest.some((p) => p.quote !== "")) {
    throw ts.error(`quote the whole key in '${tok.raw}', not part of it`, tok);
  }
  const key = checkKeyLength(ts, tok, rest.map((p) => p.text).join("."));
  return { type: first.text, key };
}

/**
 * Resolves a runs identifier. `orderBy` additionally accepts `timestamp` as `start_time`.
 * Throws `INVALID_PARAMETER_VALUE` for unknown entity types, attributes and dataset fields.
 */
export function resolveRunIdentifier(
  ts: TokenStream,
  tok: Token,
  orderBy = false,
): RunIdentifier {
  const { type, key } = splitName(ts, tok);
  const entity = type === undefined ? "attribute" : ENTITY_ALIASES.get(type);
  if (entity === undefined) {
    throw ts.error(
      `invalid entity type '${type}'; valid types are 'metrics', 'params', 'tags', ` +
        `'attributes' and 'datasets'`,
      tok,
    );
  }
  switch (entity) {
    case "metric":
      return { kind: "metric", key };
    case "param":
      return { kind: "param", key };
    case "tag":
      return { kind: "tag", key };
    case "dataset":
      if (!DATASET_KEYS.has(key)) {
        throw ts.error(
          `invalid dataset key '${key}'; valid keys are 'name', 'digest' and 'context'`,
          tok,
        );
      }
      return { kind: "dataset", key: key as DatasetKey };
    case "attribute": {
      const attr = ATTRIBUTE_ALIASES.get(key) ??
        (orderBy && key === "timestamp" ? "start_time" : undefined);
      if (attr === undefined) {
        throw ts.error(
          `invalid attribute key '${key}'; valid keys are ${
            [...ATTRIBUTE_ALIASES.keys()].map((k) => `'${k}'`).join(", ")
          }`,
          tok,
        );
      }
      return NUMERIC_ATTRIBUTES.has(attr)
        ? { kind: "numeric_attribute", key: attr as NumericAttributeKey }
        : { kind: "string_attribute", key: attr as StringAttributeKey };
    }
  }
}

/** A human label for an identifier in messages: `metric 'acc'`, `attribute 'status'`. */
export function labelOf(id: RunIdentifier): string {
  switch (id.kind) {
    case "string_attribute":
    case "numeric_attribute":
      return `attribute '${id.key}'`;
    default:
      return `${id.kind} '${id.key}'`;
  }
}
