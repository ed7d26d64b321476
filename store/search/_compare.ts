/**
 * Value comparisons shared by every search evaluator (runs, experiments, logged models, the
 * model registry), so all grammars give a comparator and an ordering the same meaning.
 *
 * @module
 */

import type { NumericOp, StringPredicate } from "./filter.ts";

/** Applies a numeric comparator. */
export function compareNumbers(lhs: number, op: NumericOp, rhs: number): boolean {
  switch (op) {
    case "=":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
  }
}

/** Applies a string predicate; `undefined` (an absent key) satisfies only `IS NULL`. */
export function matchesString(value: string | undefined, p: StringPredicate): boolean {
  switch (p.op) {
    case "IS NULL":
      return value === undefined;
    case "IS NOT NULL":
      return value !== undefined;
  }
  if (value === undefined) return false;
  switch (p.op) {
    case "=":
      return value === p.value;
    case "!=":
      return value !== p.value;
    case "LIKE":
    case "ILIKE":
      return p.like.test(value);
    case "IN":
      return inList(p.values, value);
    case "NOT IN":
      return !inList(p.values, value);
  }
}

// Sets for long IN lists, built on first use and kept as long as the parsed filter lives, so a
// search tests each candidate in O(1) while the AST stays plain data.
const IN_SETS = new WeakMap<readonly string[], Set<string>>();

function inList(values: readonly string[], value: string): boolean {
  if (values.length <= 16) return values.includes(value);
  let set = IN_SETS.get(values);
  if (set === undefined) IN_SETS.set(values, set = new Set(values));
  return set.has(value);
}

/**
 * Orders strings by Unicode code point, which is also UTF-8 byte order: the order of SQL's binary
 * collation and of Deno KV string keys. JS `<` compares UTF-16 code units instead, which differs
 * only when a surrogate pair meets a character in U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate encodes a code point ≥ U+10000, above every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A value an entity sorts by: a number, a string, or `undefined` when absent (SQL NULL). */
export type SortValue = number | string | undefined;

/**
 * Compares two sort values for one clause. Absent values sort last in either direction; NaN
 * sorts after every number and before absent values, in either direction; strings compare by
 * code point (SQL binary collation).
 */
export function compareSortValues(a: SortValue, b: SortValue, ascending: boolean): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  let c: number;
  if (typeof a === "number" && typeof b === "number") {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    c = a < b ? -1 : a > b ? 1 : 0;
  } else {
    c = compareCodePoints(String(a), String(b));
  }
  return ascending ? c : -c;
}

/**
 * Returns `items` sorted under `order` (clauses compared in turn with
 * {@linkcode compareSortValues}), without touching the input; equal items keep their input
 * order. Each item's values are read once up front, so large inputs do not re-read them on every
 * comparison.
 */
export function sortByClauses<T, C extends { ascending: boolean }>(
  items: readonly T[],
  order: readonly C[],
  valueOf: (item: T, clause: C) => SortValue,
): T[] {
  const keys = items.map((item) => order.map((c) => valueOf(item, c)));
  const idx = items.map((_, i) => i);
  idx.sort((i, j) => {
    const ki = keys[i];
    const kj = keys[j];
    for (let c = 0; c < order.length; c++) {
      const r = compareSortValues(ki[c], kj[c], order[c].ascending);
      if (r !== 0) return r;
    }
    return 0;
  });
  return idx.map((i) => items[i]);
}
