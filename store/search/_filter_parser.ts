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

import { describe, keywordOf, TokenStream } from "./_tokenizer.ts";
import { labelOf, resolveRunIdentifier } from "./_identifier.ts";
import {
  NUMERIC_OPS,
  readAllowedComparator,
  readNumber,
  readValuePredicate,
  VALUE_OPS,
} from "./_grammar.ts";
import type { Clause, FilterNode, NumericOp, StringPredicate } from "./filter.ts";

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
  const label = labelOf(id);
  const numeric = id.kind === "metric" || id.kind === "numeric_attribute";
  const valid = numeric
    ? NUMERIC_OPS
    : id.kind === "param" || id.kind === "tag"
    ? PARAM_OPS
    : VALUE_OPS;
  const op = readAllowedComparator(ts, label, valid);
  if (numeric) {
    const value = readNumber(ts, label);
    return id.kind === "metric"
      ? { kind: "metric", key: id.key, op: op as NumericOp, value }
      : { kind: "numeric_attribute", key: id.key, op: op as NumericOp, value };
  }
  if (id.kind === "param" || id.kind === "tag") {
    return { kind: id.kind, key: id.key, ...readPredicate(ts, label, op) };
  }
  const pred = readValuePredicate(ts, label, op);
  return id.kind === "dataset"
    ? { kind: "dataset", key: id.key, ...pred }
    : { kind: "string_attribute", key: id.key, ...pred };
}

/** Params and tags also take `IS [NOT] NULL`, which reads no value. */
function readPredicate(ts: TokenStream, label: string, op: string): StringPredicate {
  return op === "IS NULL" || op === "IS NOT NULL" ? { op } : readValuePredicate(ts, label, op);
}
