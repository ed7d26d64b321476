/**
 * The MLflow runs filter (`search-runs` `filter`, §6.1): a parser to an inspectable AST and a
 * reference evaluator over `Run`s. Every filter MLflow accepts keeps MLflow's meaning.
 *
 * kvflow extensions, beyond MLflow: `OR`, `NOT` and parentheses (precedence NOT > AND > OR), and
 * `IN` / `NOT IN` lists on params, tags and every string attribute (MLflow: `run_id` only).
 * `NOT` is plain boolean negation, so `NOT params.a = 'x'` also matches runs without param `a`
 * (unlike `params.a != 'x'`, which requires the param).
 *
 * @module
 */

import type { DatasetKey, NumericAttributeKey, StringAttributeKey } from "./_identifier.ts";
import { parseRunFilterTokens } from "./_filter_parser.ts";
import type { LikeMatcher } from "./_like.ts";
import { matchesRunFilter, runStringAttribute } from "./_filter_match.ts";

export type { DatasetKey, NumericAttributeKey, StringAttributeKey };
export { matchesRunFilter, runStringAttribute };

/** Comparators on numbers (metrics, `start_time`, `end_time`). */
export type NumericOp = "=" | "!=" | ">" | ">=" | "<" | "<=";

/**
 * A test on a string value. `=`, `!=` and `LIKE` are case-sensitive; `ILIKE` is not. `like` is
 * the LIKE pattern compiled once at parse time. A missing value (absent param/tag) fails every
 * predicate except `IS NULL`.
 */
export type StringPredicate =
  | { op: "=" | "!="; value: string }
  | { op: "LIKE" | "ILIKE"; value: string; like: LikeMatcher }
  | { op: "IN" | "NOT IN"; values: string[] }
  | { op: "IS NULL" | "IS NOT NULL" };

/** A string predicate that needs a value (everything but `IS [NOT] NULL`). */
export type ValuePredicate = Exclude<StringPredicate, { op: "IS NULL" | "IS NOT NULL" }>;

/** `metrics.<key> <op> <number>` against the run's latest value; NaN counts as 0. */
export interface MetricClause {
  kind: "metric";
  key: string;
  op: NumericOp;
  value: number;
}

/** `attributes.start_time|end_time <op> <number>`; a run without `end_time` never matches. */
export interface NumericAttributeClause {
  kind: "numeric_attribute";
  key: NumericAttributeKey;
  op: NumericOp;
  value: number;
}

/** `params.<key> …`; `!=` and the rest require the param to exist, `IS NULL` its absence. */
export type ParamClause = { kind: "param"; key: string } & StringPredicate;

/** `tags.<key> …`, with the same rules as params. */
export type TagClause = { kind: "tag"; key: string } & StringPredicate;

/**
 * `attributes.<key> …` on a string attribute. `run_name` is read from the `mlflow.runName` tag
 * (as MLflow does), falling back to `info.run_name` when the tag is absent.
 */
export type StringAttributeClause =
  & { kind: "string_attribute"; key: StringAttributeKey }
  & ValuePredicate;

/** `datasets.<key> …`: true when ANY of the run's dataset inputs matches. */
export type DatasetClause = { kind: "dataset"; key: DatasetKey } & ValuePredicate;

/** One comparison: the leaves of the AST. */
export type Clause =
  | MetricClause
  | NumericAttributeClause
  | ParamClause
  | TagClause
  | StringAttributeClause
  | DatasetClause;

/** All children must match. Always has ≥2 children; nested ANDs are flattened. */
export interface AndNode {
  kind: "and";
  children: FilterNode[];
}

/** Any child must match (kvflow extension). Always ≥2 children; nested ORs are flattened. */
export interface OrNode {
  kind: "or";
  children: FilterNode[];
}

/** Boolean negation (kvflow extension). */
export interface NotNode {
  kind: "not";
  child: FilterNode;
}

/**
 * A parsed runs filter, discriminated by `kind`. A query planner can look for indexable
 * conjuncts with {@linkcode topLevelClauses}.
 *
 * @example
 * ```ts
 * parseRunFilter("metrics.acc > 0.9 and params.model = 'cnn'");
 * // { kind: "and", children: [
 * //   { kind: "metric", key: "acc", op: ">", value: 0.9 },
 * //   { kind: "param", key: "model", op: "=", value: "cnn" } ] }
 * ```
 */
export type FilterNode = Clause | AndNode | OrNode | NotNode;

/**
 * Parses a runs filter. Returns `null` for an empty or whitespace-only filter (matches every run).
 * Throws `MlflowError("INVALID_PARAMETER_VALUE")` naming the offending token and its position for
 * anything invalid: unknown entity type, attribute or dataset key, a comparator the type does not
 * support, an unquoted string, a non-numeric metric value, an empty or malformed IN list,
 * unbalanced parentheses or trailing input. A single trailing `AND` is accepted, as MLflow does.
 *
 * @example
 * ```ts
 * const node = parseRunFilter("tags.`mlflow.user` LIKE 'a%'");
 * matchesRunFilter(node, run);
 * ```
 */
export function parseRunFilter(filter: string | null | undefined): FilterNode | null {
  if (filter === undefined || filter === null || filter.trim() === "") return null;
  return parseRunFilterTokens(filter);
}

/**
 * The conjuncts of a filter: the children of a top-level AND, else the node itself; `[]` for
 * `null`. Every run that matches the filter matches each conjunct, so a planner may answer any
 * one conjunct from an index and evaluate the whole filter on the candidates.
 */
export function topLevelClauses(node: FilterNode | null): FilterNode[] {
  if (node === null) return [];
  return node.kind === "and" ? node.children : [node];
}
