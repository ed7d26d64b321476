/**
 * The experiments search grammar (§6.4): an AND-only filter on `name`, `creation_time`,
 * `last_update_time` and tags, and `order_by` on `name`, `experiment_id`, `creation_time`,
 * `last_update_time`. Shares the lexer, clause readers and comparisons with the other grammars.
 *
 * @module
 */

import type { Experiment } from "../types.ts";
import { describe, keywordOf, type TokenStream } from "./_tokenizer.ts";
import type { Token } from "./_tokenizer.ts";
import { splitName } from "./_identifier.ts";
import {
  NUMERIC_OPS,
  parseAndList,
  parseOrderClause,
  readAllowedComparator,
  readNumber,
  readValuePredicate,
  STRING_OPS,
} from "./_grammar.ts";
import { compareCodePoints, compareNumbers, matchesString } from "./_compare.ts";
import type { NumericOp } from "./filter.ts";
import type { LikeMatcher } from "./_like.ts";
import { checkOrderBy } from "./limits.ts";

/** Experiment attributes a filter may compare with a number. */
export type ExperimentTimeKey = "creation_time" | "last_update_time";

/** `= != LIKE ILIKE` on a string; `like` is the compiled LIKE pattern. */
export type ExperimentStringPredicate =
  | { op: "=" | "!="; value: string }
  | { op: "LIKE" | "ILIKE"; value: string; like: LikeMatcher };

/** One experiment filter clause; a filter is the AND of a list of these. */
export type ExperimentClause =
  | { kind: "name" } & ExperimentStringPredicate
  | { kind: "time"; key: ExperimentTimeKey; op: NumericOp; value: number }
  /** Requires the tag to exist, `!=` included. */
  | { kind: "tag"; key: string } & ExperimentStringPredicate;

/** Experiment fields `order_by` accepts. */
export type ExperimentOrderKey = "name" | "experiment_id" | "creation_time" | "last_update_time";

/** One experiments ordering clause. */
export interface ExperimentOrderClause {
  key: ExperimentOrderKey;
  ascending: boolean;
}

const ORDER_KEYS: readonly string[] = [
  "name",
  "experiment_id",
  "creation_time",
  "last_update_time",
];

/**
 * Parses an experiments filter into its AND-ed clauses (`[]` for an empty filter). Throws
 * `INVALID_PARAMETER_VALUE` for OR / NOT / parentheses, prefixes other than `attribute.`, `tag.`
 * and `tags.`, attributes other than `name`, `creation_time`, `last_update_time`, bad
 * comparators or values. A trailing `AND` is accepted, as MLflow does.
 *
 * @example
 * ```ts
 * parseExperimentFilter("name LIKE 'prod-%' AND tags.team = 'ml'");
 * ```
 */
export function parseExperimentFilter(filter: string | null | undefined): ExperimentClause[] {
  return parseAndList(filter, "experiments", parseClause);
}

function parseClause(ts: TokenStream): ExperimentClause {
  const tok = ts.next();
  if (tok.type !== "name" || keywordOf(tok) === "NOT" || keywordOf(tok) === "AND") {
    throw ts.error(`expected an identifier such as 'name' but found ${describe(tok)}`, tok);
  }
  const { type, key } = splitName(ts, tok);
  const entity = entityOf(ts, tok, type);
  if (
    entity === "attribute" && key !== "name" && key !== "creation_time" &&
    key !== "last_update_time"
  ) {
    throw ts.error(
      `invalid attribute key '${key}'; valid keys are 'name', 'creation_time' and 'last_update_time'`,
      tok,
    );
  }
  const isTime = entity === "attribute" && key !== "name";
  const label = entity === "tag" ? `tag '${key}'` : `attribute '${key}'`;
  const op = readAllowedComparator(ts, label, isTime ? NUMERIC_OPS : STRING_OPS);
  if (isTime) {
    const value = readNumber(ts, label);
    return { kind: "time", key: key as ExperimentTimeKey, op: op as NumericOp, value };
  }
  // STRING_OPS has no IN, so the predicate is never a list.
  const pred = readValuePredicate(ts, label, op) as ExperimentStringPredicate;
  return entity === "tag" ? { kind: "tag", key, ...pred } : { kind: "name", ...pred };
}

function entityOf(ts: TokenStream, tok: Token, type: string | undefined): "attribute" | "tag" {
  if (type === undefined || type === "attribute") return "attribute";
  if (type === "tag" || type === "tags") return "tag";
  throw ts.error(
    `invalid entity type '${type}'; valid types are 'attribute', 'tag' and 'tags'`,
    tok,
  );
}

/**
 * True when the experiment satisfies every clause (an empty list matches all).
 *
 * @example
 * ```ts
 * matchesExperimentFilter(parseExperimentFilter("creation_time > 0"), experiment);
 * ```
 */
export function matchesExperimentFilter(
  clauses: readonly ExperimentClause[],
  e: Experiment,
): boolean {
  for (const c of clauses) {
    let ok: boolean;
    switch (c.kind) {
      case "name":
        ok = matchesString(e.name, c);
        break;
      case "time":
        ok = compareNumbers(e[c.key], c.op, c.value);
        break;
      case "tag":
        ok = matchesString(e.tags.find((t) => t.key === c.key)?.value, c);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

/**
 * Parses experiments `order_by` clauses (`[attribute.]key [ASC|DESC]`, ASC by default). Without
 * clauses the order is `creation_time DESC, experiment_id ASC`; otherwise `experiment_id DESC` is
 * appended unless `experiment_id` is already given. Throws `INVALID_PARAMETER_VALUE` for other
 * keys, tags, and directions other than ASC/DESC.
 */
export function parseExperimentOrderBy(
  clauses: readonly string[] | undefined,
): ExperimentOrderClause[] {
  if (clauses === undefined || clauses.length === 0) {
    return [{ key: "creation_time", ascending: false }, { key: "experiment_id", ascending: true }];
  }
  checkOrderBy(clauses);
  const out = clauses.map((c) => parseOrderClause(c, "name", parseOrderField));
  if (!out.some((c) => c.key === "experiment_id")) {
    out.push({ key: "experiment_id", ascending: false });
  }
  return out;
}

function parseOrderField(ts: TokenStream, tok: Token): { key: ExperimentOrderKey } {
  const { type, key } = splitName(ts, tok);
  if (entityOf(ts, tok, type) === "tag") {
    throw ts.error("experiments cannot be ordered by tags", tok);
  }
  if (!ORDER_KEYS.includes(key)) {
    throw ts.error(
      `invalid order_by key '${key}'; valid keys are ${ORDER_KEYS.map((k) => `'${k}'`).join(", ")}`,
      tok,
    );
  }
  return { key: key as ExperimentOrderKey };
}

/** Compares two experiments under `order` (from {@linkcode parseExperimentOrderBy}). */
export function compareExperiments(
  a: Experiment,
  b: Experiment,
  order: readonly ExperimentOrderClause[],
): number {
  for (const { key, ascending } of order) {
    let c: number;
    if (key === "name") c = compareCodePoints(a.name, b.name);
    else if (key === "experiment_id") c = compareIds(a.experiment_id, b.experiment_id);
    else c = a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0;
    if (c !== 0) return ascending ? c : -c;
  }
  return 0;
}

const DIGITS = /^\d+$/;

/** Numeric order for the sequential integer ids (`"10"` after `"9"`), at any length. */
function compareIds(a: string, b: string): number {
  if (!DIGITS.test(a) || !DIGITS.test(b)) return compareCodePoints(a, b);
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}
