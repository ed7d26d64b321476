/**
 * The runs `order_by` (§6.2): parsing `ident [ASC|DESC]` clauses and ordering {@linkcode Run}s
 * the way MLflow's SQL store does, including its implicit tiebreak.
 *
 * @module
 */

import type { Run } from "../types.ts";
import { labelOf, resolveRunIdentifier } from "./_identifier.ts";
import type { NumericAttributeKey, StringAttributeKey } from "./_identifier.ts";
import { compareSortValues, sortByClauses, type SortValue } from "./_compare.ts";
import { parseOrderClause } from "./_grammar.ts";
import { checkOrderBy } from "./limits.ts";
import { invalidParam } from "../errors.ts";

// The value comparison is shared with the other evaluators; re-exported for run index readers.
export { compareSortValues, type SortValue };

/** What a clause orders by; `kind` uses the same names as the filter AST. */
export type OrderKey =
  | { kind: "metric"; key: string }
  | { kind: "param"; key: string }
  | { kind: "tag"; key: string }
  | { kind: "string_attribute"; key: StringAttributeKey }
  | { kind: "numeric_attribute"; key: NumericAttributeKey };

/** One ordering clause. */
export type OrderClause = OrderKey & { ascending: boolean };

/**
 * Parses runs `order_by` clauses and appends MLflow's implicit tiebreak: `start_time DESC` unless
 * `start_time` (or its alias `created`/`timestamp`) is already ordered on, then `run_id ASC`
 * unless `run_id` is. The result is therefore never empty; `undefined` or `[]` gives the default
 * order `start_time DESC, run_id ASC`.
 *
 * Identifiers use the filter syntax (`metrics.acc`, `` params.`lr` ``, `attributes.start_time`);
 * the bare word `timestamp` means `start_time`. Throws `INVALID_PARAMETER_VALUE` for unparsable
 * clauses, datasets, a direction other than ASC/DESC, and a field listed twice.
 *
 * @example
 * ```ts
 * parseRunOrderBy(["metrics.rmse DESC"]);
 * // [{ kind: "metric", key: "rmse", ascending: false },
 * //  { kind: "numeric_attribute", key: "start_time", ascending: false },
 * //  { kind: "string_attribute", key: "run_id", ascending: true }]
 * ```
 */
export function parseRunOrderBy(clauses: readonly string[] | undefined): OrderClause[] {
  checkOrderBy(clauses);
  const out: OrderClause[] = [];
  const seen = new Set<string>();
  for (const clause of clauses ?? []) {
    const parsed = parseOrderClause(clause, "metrics.<key>", (ts, tok) => {
      const id = resolveRunIdentifier(ts, tok, true);
      if (id.kind === "dataset") throw ts.error("runs cannot be ordered by datasets", tok);
      return id;
    });
    const id = `${parsed.kind}\u0000${parsed.key}`;
    if (seen.has(id)) {
      throw invalidParam(
        `Invalid order_by clause '${clause}': ${labelOf(parsed)} is already ordered on by an ` +
          `earlier clause`,
      );
    }
    seen.add(id);
    out.push(parsed);
  }
  if (!seen.has("numeric_attribute\u0000start_time")) {
    out.push({ kind: "numeric_attribute", key: "start_time", ascending: false });
  }
  if (!seen.has("string_attribute\u0000run_id")) {
    out.push({ kind: "string_attribute", key: "run_id", ascending: true });
  }
  return out;
}

function findValue(
  entries: readonly { key: string; value: string | number }[],
  key: string,
): string | number | undefined {
  for (let i = 0; i < entries.length; i++) if (entries[i].key === key) return entries[i].value;
  return undefined;
}

/**
 * The value a run sorts by for `key`. Metrics give their latest value (NaN kept as NaN);
 * `run_name` is `info.run_name`, the column MLflow's SQL store orders by.
 */
export function runSortValue(run: Run, key: OrderKey): SortValue {
  switch (key.kind) {
    case "metric":
      return findValue(run.data.metrics, key.key);
    case "param":
      return findValue(run.data.params, key.key);
    case "tag":
      return findValue(run.data.tags, key.key);
    case "string_attribute":
      return run.info[key.key];
    case "numeric_attribute":
      return run.info[key.key] ?? undefined;
  }
}

/** Compares two runs under `order` (as returned by {@linkcode parseRunOrderBy}). */
export function compareRuns(a: Run, b: Run, order: readonly OrderClause[]): number {
  for (const clause of order) {
    const c = compareSortValues(runSortValue(a, clause), runSortValue(b, clause), clause.ascending);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * A comparator for `Array.prototype.sort` over runs.
 *
 * @example
 * ```ts
 * runs.sort(runComparator(parseRunOrderBy(["metrics.acc DESC"])));
 * ```
 */
export function runComparator(order: readonly OrderClause[]): (a: Run, b: Run) => number {
  return (a, b) => compareRuns(a, b, order);
}

/**
 * Returns the runs sorted under `order`, without touching the input. Each run's sort values are
 * read once up front, so large inputs do not re-scan metrics, params and tags on every comparison.
 */
export function sortRuns(runs: readonly Run[], order: readonly OrderClause[]): Run[] {
  return sortByClauses(runs, order, runSortValue);
}
