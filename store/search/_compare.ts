/**
 * Value comparisons shared by the runs and experiments evaluators, so both grammars give a
 * comparator the same meaning.
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
      return p.regex.test(value);
    case "IN":
      return p.values.includes(value);
    case "NOT IN":
      return !p.values.includes(value);
  }
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
