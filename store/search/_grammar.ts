/**
 * Readers for the pieces every search grammar is built from (runs, experiments, logged models,
 * the model registry): AND-only filter lists, comparators checked against what a field allows,
 * quoted strings, numbers, IN lists, string predicates and `field [ASC|DESC]` order clauses.
 * Each piece is read in one place so its syntax and its error messages are the same in every
 * grammar; the grammars differ only in which fields and comparators they allow.
 *
 * @module
 */

import { describe, keywordOf, quotedString, readComparator, TokenStream } from "./_tokenizer.ts";
import type { Token } from "./_tokenizer.ts";
import { compileLike } from "./_like.ts";
import { checkInListLength, checkLikePattern } from "./limits.ts";
import type { ValuePredicate } from "./filter.ts";

/** Comparators on numbers, in the order error messages list them. */
export const NUMERIC_OPS: readonly string[] = ["=", "!=", ">", ">=", "<", "<="];
/** Comparators on a single string value. */
export const STRING_OPS: readonly string[] = ["=", "!=", "LIKE", "ILIKE"];
/** {@linkcode STRING_OPS} plus the IN lists. */
export const VALUE_OPS: readonly string[] = [...STRING_OPS, "IN", "NOT IN"];

/**
 * Parses an AND-only filter, `clause (AND clause)* [AND]`: a trailing AND is accepted, as MLflow
 * does, and an empty or blank filter is `[]`. `searching` completes the error for an OR
 * (`OR is not supported when searching <searching>; …`).
 */
export function parseAndList<C>(
  filter: string | null | undefined,
  searching: string,
  parseClause: (ts: TokenStream) => C,
): C[] {
  if (filter === undefined || filter === null || filter.trim() === "") return [];
  const ts = new TokenStream(filter, "filter");
  const out = [parseClause(ts)];
  while (ts.acceptKeyword("AND")) {
    if (ts.peek().type === "eof") break;
    out.push(parseClause(ts));
  }
  const t = ts.peek();
  if (t.type !== "eof") {
    throw ts.error(
      keywordOf(t) === "OR"
        ? `OR is not supported when searching ${searching}; join clauses with AND`
        : `expected AND or end of input but found ${describe(t)}`,
    );
  }
  return out;
}

/**
 * Reads the comparator after the field `label` and returns it; throws unless it is one of
 * `valid`, the comparators that field allows.
 */
export function readAllowedComparator(
  ts: TokenStream,
  label: string,
  valid: readonly string[],
): string {
  const opTok = ts.peek();
  const op = readComparator(ts, label);
  if (!valid.includes(op)) {
    throw ts.error(
      `invalid comparator '${op}' for ${label}; valid comparators are ${
        valid.map((o) => `'${o}'`).join(", ")
      }`,
      opTok,
    );
  }
  return op;
}

/** Reads the number a numeric field `label` is compared with. */
export function readNumber(ts: TokenStream, label: string): number {
  const v = ts.next();
  if (v.type !== "number") {
    throw ts.error(`expected a number for ${label} but found ${describe(v)}`, v);
  }
  return v.value;
}

/** Reads the quoted string a string field `label` is compared with. */
export function readString(ts: TokenStream, label: string): string {
  const t = ts.next();
  const s = quotedString(t);
  if (s === undefined) {
    throw ts.error(
      `expected a quoted string for ${label} (e.g. 'value') but found ${describe(t)}`,
      t,
    );
  }
  return s;
}

/** Reads one item of an IN list: a quoted string. */
export function readListItem(ts: TokenStream): string {
  const t = ts.next();
  const s = quotedString(t);
  if (s === undefined) {
    throw ts.error(`expected a quoted string in the list but found ${describe(t)}`, t);
  }
  return s;
}

/**
 * Reads `('a', "b")` after IN / NOT IN on the field `label`: non-empty, a trailing comma allowed,
 * as in Python. `item` reads each element ({@linkcode readListItem} unless a grammar reports a
 * bad element differently).
 */
export function readList(
  ts: TokenStream,
  label: string,
  item: (ts: TokenStream) => string = readListItem,
): string[] {
  const open = ts.next();
  if (open.type !== "(") {
    throw ts.error(
      `expected a list such as ('a', 'b') for ${label} but found ${describe(open)}`,
      open,
    );
  }
  const values: string[] = [];
  while (ts.peek().type !== ")") {
    checkInListLength(label, values.length + 1);
    values.push(item(ts));
    if (ts.peek().type === ",") ts.next();
    else if (ts.peek().type !== ")") {
      throw ts.error(`expected ',' or ')' in the list but found ${describe(ts.peek())}`);
    }
  }
  if (values.length === 0) throw ts.error(`the list for ${label} must not be empty`, open);
  ts.next();
  return values;
}

/**
 * Reads what a string comparator `op` (already checked) is applied to: a list for IN / NOT IN,
 * else one quoted string; a LIKE / ILIKE pattern is compiled here, once. `item` is passed on to
 * {@linkcode readList}.
 */
export function readValuePredicate(
  ts: TokenStream,
  label: string,
  op: string,
  item?: (ts: TokenStream) => string,
): ValuePredicate {
  if (op === "IN" || op === "NOT IN") return { op, values: readList(ts, label, item) };
  const value = readString(ts, label);
  if (op !== "LIKE" && op !== "ILIKE") return { op: op as "=" | "!=", value };
  ts.likeChars += value.length;
  checkLikePattern(label, value, ts.likeChars);
  return { op, value, like: compileLike(value, op === "ILIKE") };
}

/**
 * Parses one order_by clause, `field [ASC|DESC]` (ASC by default, either in any case).
 * `example` names a field for the error when the clause does not start with one; `field`
 * resolves the field token (throwing for fields the grammar cannot order by).
 */
export function parseOrderClause<F extends object>(
  clause: string,
  example: string,
  field: (ts: TokenStream, tok: Token) => F,
): F & { ascending: boolean } {
  const ts = new TokenStream(clause, "order_by clause");
  const tok = ts.next();
  if (tok.type !== "name") {
    throw ts.error(`expected a field such as '${example}' but found ${describe(tok)}`, tok);
  }
  const resolved = field(ts, tok);
  let ascending = true;
  const dir = keywordOf(ts.peek());
  if (dir === "ASC" || dir === "DESC") {
    ascending = dir === "ASC";
    ts.next();
  }
  if (ts.peek().type !== "eof") {
    throw ts.error(`expected ASC, DESC or end of input but found ${describe(ts.peek())}`);
  }
  return { ...resolved, ascending };
}
