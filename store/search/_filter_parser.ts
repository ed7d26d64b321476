/**
 * Recursive-descent parser for the runs filter grammar:
 *
 * ```
 * filter     := or [AND] EOF              (MLflow tolerates a dangling AND)
 * or         := and (OR and)*
 * and        := not (AND not)*
 * not        := NOT not | primary
 * primary    := "(" or ")" | comparison
 * comparison := ident op value | ident [NOT] IN list | ident IS [NOT] NULL
 * ```
 *
 * @module
 */

import { describe, keywordOf, quotedString, readComparator, TokenStream } from "./_tokenizer.ts";
import { labelOf, resolveRunIdentifier, type RunIdentifier } from "./_identifier.ts";
import { likeToRegExp } from "./_like.ts";
import type { Clause, FilterNode, NumericOp, StringPredicate, ValuePredicate } from "./filter.ts";

const NUMERIC_OPS: readonly string[] = ["=", "!=", ">", ">=", "<", "<="];
const VALUE_OPS: readonly string[] = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];
const PARAM_OPS: readonly string[] = [...VALUE_OPS, "IS NULL", "IS NOT NULL"];
// Words that start or join clauses; never read as an attribute name.
const RESERVED = new Set(["AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE"]);
// Bounds recursion (here and in the evaluator) so a hostile filter gets a 400, not a stack overflow.
const MAX_DEPTH = 64;

/** Parses a non-empty filter string; see `parseRunFilter` for the contract. */
export function parseRunFilterTokens(src: string): FilterNode {
  const ts = new TokenStream(src, "filter");
  const node = parseOr(ts, 0);
  if (ts.isKeyword("AND") && ts.peek(1).type === "eof") ts.next();
  const t = ts.peek();
  if (t.type !== "eof") {
    throw ts.error(
      t.type === ")"
        ? "unbalanced ')'"
        : `expected AND, OR or end of input but found ${describe(t)}`,
    );
  }
  return node;
}

function parseOr(ts: TokenStream, depth: number): FilterNode {
  const children = [parseAnd(ts, depth)];
  while (ts.acceptKeyword("OR")) children.push(parseAnd(ts, depth));
  return join("or", children);
}

function parseAnd(ts: TokenStream, depth: number): FilterNode {
  const children = [parseNot(ts, depth)];
  // A dangling AND before the end is left for the caller to accept.
  while (ts.isKeyword("AND") && ts.peek(1).type !== "eof") {
    ts.next();
    children.push(parseNot(ts, depth));
  }
  return join("and", children);
}

function join(kind: "and" | "or", children: FilterNode[]): FilterNode {
  if (children.length === 1) return children[0];
  return { kind, children: children.flatMap((c) => c.kind === kind ? c.children : [c]) };
}

function parseNot(ts: TokenStream, depth: number): FilterNode {
  const t = ts.peek();
  if (t.type !== "(" && !ts.isKeyword("NOT")) return parseComparison(ts);
  if (depth >= MAX_DEPTH) throw ts.error(`NOT and parentheses nest deeper than ${MAX_DEPTH}`);
  ts.next();
  if (t.type !== "(") return { kind: "not", child: parseNot(ts, depth + 1) };
  const inner = parseOr(ts, depth + 1);
  if (ts.peek().type !== ")") throw ts.error(`expected ')' to close the '(' at position ${t.pos}`);
  ts.next();
  return inner;
}

function parseComparison(ts: TokenStream): Clause {
  const identTok = ts.next();
  const kw = keywordOf(identTok);
  if (identTok.type !== "name" || (kw !== undefined && RESERVED.has(kw))) {
    throw ts.error(
      `expected an identifier such as 'metrics.<key>' but found ${describe(identTok)}`,
      identTok,
    );
  }
  const id = resolveRunIdentifier(ts, identTok);
  const opTok = ts.peek();
  const op = readComparator(ts, labelOf(id));
  const valid = id.kind === "metric" || id.kind === "numeric_attribute"
    ? NUMERIC_OPS
    : id.kind === "param" || id.kind === "tag"
    ? PARAM_OPS
    : VALUE_OPS;
  if (!valid.includes(op)) {
    throw ts.error(
      `invalid comparator '${op}' for ${labelOf(id)}; valid comparators are ${
        valid.map((o) => `'${o}'`).join(", ")
      }`,
      opTok,
    );
  }
  if (id.kind === "metric" || id.kind === "numeric_attribute") {
    const v = ts.next();
    if (v.type !== "number") {
      throw ts.error(`expected a number for ${labelOf(id)} but found ${describe(v)}`, v);
    }
    return id.kind === "metric"
      ? { kind: "metric", key: id.key, op: op as NumericOp, value: v.value }
      : { kind: "numeric_attribute", key: id.key, op: op as NumericOp, value: v.value };
  }
  if (id.kind === "param" || id.kind === "tag") {
    return { kind: id.kind, key: id.key, ...readPredicate(ts, id, op) };
  }
  const pred = readValuePredicate(ts, id, op);
  return id.kind === "dataset"
    ? { kind: "dataset", key: id.key, ...pred }
    : { kind: "string_attribute", key: id.key, ...pred };
}

function readPredicate(ts: TokenStream, id: RunIdentifier, op: string): StringPredicate {
  return op === "IS NULL" || op === "IS NOT NULL" ? { op } : readValuePredicate(ts, id, op);
}

function readValuePredicate(ts: TokenStream, id: RunIdentifier, op: string): ValuePredicate {
  switch (op) {
    case "IN":
    case "NOT IN":
      return { op, values: readList(ts, id) };
    case "LIKE":
    case "ILIKE": {
      const value = readString(ts, id);
      return { op, value, regex: likeToRegExp(value, op === "ILIKE") };
    }
    default:
      return { op: op as "=" | "!=", value: readString(ts, id) };
  }
}

function readString(ts: TokenStream, id: RunIdentifier): string {
  const t = ts.next();
  const s = quotedString(t);
  if (s === undefined) {
    throw ts.error(
      `expected a quoted string for ${labelOf(id)} (e.g. 'value') but found ${describe(t)}`,
      t,
    );
  }
  return s;
}

/** `('a', "b")`: non-empty, quoted strings only; a trailing comma is allowed, as in Python. */
function readList(ts: TokenStream, id: RunIdentifier): string[] {
  const open = ts.next();
  if (open.type !== "(") {
    throw ts.error(
      `expected a list such as ('a', 'b') for ${labelOf(id)} but found ${describe(open)}`,
      open,
    );
  }
  const values: string[] = [];
  while (ts.peek().type !== ")") {
    const t = ts.next();
    const s = quotedString(t);
    if (s === undefined) {
      throw ts.error(`expected a quoted string in the list but found ${describe(t)}`, t);
    }
    values.push(s);
    if (ts.peek().type === ",") ts.next();
    else if (ts.peek().type !== ")") {
      throw ts.error(`expected ',' or ')' in the list but found ${describe(ts.peek())}`);
    }
  }
  if (values.length === 0) {
    throw ts.error(`the list for ${labelOf(id)} must not be empty`, open);
  }
  ts.next();
  return values;
}
