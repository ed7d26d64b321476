/**
 * The lexer shared by every search grammar (runs filter, runs order_by, experiments). MLflow
 * parses these strings with sqlparse; this lexer accepts the same surface syntax with one token
 * per construct, so parsers stay small and errors can name the exact offending token.
 *
 * @module
 */

import { invalidParam, type MlflowError } from "../errors.ts";
import { checkFilterLength } from "./limits.ts";

/** How one segment of a dotted name was written. `'` is only allowed after a dot (a key). */
export type Quote = "" | '"' | "`" | "'";

/** One dot-separated segment of a name: `params`, `"my key"`, `` `metrics` ``. */
export interface NamePart {
  text: string;
  quote: Quote;
}

interface TokenBase {
  /** Offset of the first character in the source string. */
  pos: number;
  /** The source text of the token, for error messages. */
  raw: string;
}

/**
 * A lexical token. Keywords (AND, LIKE, IN, …) are `name` tokens with one unquoted part: whether
 * a word is a keyword depends on where it appears, which only the parser knows.
 */
export type Token =
  | TokenBase & { type: "name"; parts: NamePart[] }
  | TokenBase & { type: "string"; value: string }
  | TokenBase & { type: "number"; value: number }
  | TokenBase & { type: "op"; value: string }
  | TokenBase & { type: "(" | ")" | "," | "eof" };

const WORD = /[\p{L}\p{N}_]+/uy;
// sqlparse's numeric literals: optional minus, integer or decimal, optional exponent.
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const OP = /[<>=!~]+/y;
const SPACE = /\s/;

/**
 * Splits `src` into tokens, ending with an `eof` token. Throws `INVALID_PARAMETER_VALUE` for
 * unterminated strings and characters no grammar uses; `what` names the input in messages
 * (e.g. `filter`, `order_by clause`).
 */
export function tokenize(src: string, what: string): Token[] {
  const out: Token[] = [];
  const fail = (msg: string, pos: number): MlflowError => syntaxError(what, src, msg, pos);
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "(" || c === ")" || c === ",") {
      out.push({ type: c, pos: i, raw: c });
      i++;
    } else if (c === "'") {
      const s = readQuoted(src, i, fail);
      i = s.end;
      out.push({ type: "string", value: s.text, pos: start, raw: src.slice(start, i) });
    } else if (isNumberStart(src, i)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src)!;
      i += m[0].length;
      if (i < src.length && WORD_CHAR.test(src[i])) {
        throw fail(`invalid number '${src.slice(start, i + 1)}'`, start);
      }
      out.push({ type: "number", value: Number(m[0]), pos: start, raw: m[0] });
    } else if (c === '"' || c === "`" || WORD_CHAR.test(c)) {
      const parts: NamePart[] = [];
      i = readPart(src, i, false, parts, fail);
      while (src[i] === ".") i = readPart(src, i + 1, true, parts, fail);
      out.push({ type: "name", parts, pos: start, raw: src.slice(start, i) });
    } else {
      OP.lastIndex = i;
      const m = OP.exec(src);
      if (!m) throw fail(`unexpected character '${c}'`, i);
      i += m[0].length;
      out.push({ type: "op", value: m[0], pos: start, raw: m[0] });
    }
  }
  out.push({ type: "eof", pos: src.length, raw: "" });
  return out;
}

/** The error every grammar throws, pointing at a position in the source. */
export function syntaxError(what: string, src: string, msg: string, pos: number): MlflowError {
  const shown = src.length > 200 ? `${src.slice(0, 200)}…` : src;
  // The detail may quote a token, which can be as long as the whole filter.
  const detail = msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
  return invalidParam(`Invalid ${what} '${shown}': ${detail} (at position ${pos})`);
}

function isNumberStart(src: string, i: number): boolean {
  const c = src[i];
  const isDigit = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "9";
  if (isDigit(c)) return true;
  if (c === ".") return isDigit(src[i + 1]);
  if (c === "-") return isDigit(src[i + 1]) || (src[i + 1] === "." && isDigit(src[i + 2]));
  return false;
}

/** Reads one name segment at `i`, appends it to `parts` and returns the offset after it. */
function readPart(
  src: string,
  i: number,
  afterDot: boolean,
  parts: NamePart[],
  fail: (msg: string, pos: number) => MlflowError,
): number {
  const c = src[i];
  if (c === '"' || c === "`" || (afterDot && c === "'")) {
    const s = readQuoted(src, i, fail);
    parts.push({ text: s.text, quote: c });
    return s.end;
  }
  WORD.lastIndex = i;
  const m = WORD.exec(src);
  if (!m) throw fail(`expected a name after '.'`, i);
  parts.push({ text: m[0], quote: "" });
  return i + m[0].length;
}

/**
 * Reads a quoted string starting at `i` (which holds the quote). A doubled quote (SQL style) or a
 * backslash before the quote embeds the quote character; every other character, backslashes
 * included, is literal, as MLflow compares the text between the quotes verbatim.
 */
function readQuoted(
  src: string,
  i: number,
  fail: (msg: string, pos: number) => MlflowError,
): { text: string; end: number } {
  const q = src[i];
  let text = "";
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === q) {
      if (src[j + 1] === q) {
        text += q;
        j += 2;
        continue;
      }
      return { text, end: j + 1 };
    }
    if (c === "\\" && src[j + 1] === q) {
      text += q;
      j += 2;
      continue;
    }
    text += c;
    j++;
  }
  throw fail(`unterminated string starting with ${q}`, i);
}

/**
 * A cursor over tokens with the helpers recursive-descent parsers need. Keyword checks are
 * case-insensitive, as in MLflow.
 */
export class TokenStream {
  readonly tokens: Token[];
  /** Characters of the LIKE patterns read so far (store/search/limits.ts caps their total). */
  likeChars = 0;
  #i = 0;

  constructor(readonly src: string, readonly what: string) {
    // Checked before lexing, so an oversized filter costs nothing.
    if (what === "filter") checkFilterLength(src);
    this.tokens = tokenize(src, what);
  }

  /** The current token, not consumed. */
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.#i + offset, this.tokens.length - 1)];
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const t = this.peek();
    if (t.type !== "eof") this.#i++;
    return t;
  }

  /** True when the token at `offset` is the bare (unquoted) word `kw`, in any case. */
  isKeyword(kw: string, offset = 0): boolean {
    return keywordOf(this.peek(offset)) === kw;
  }

  /** Consumes the keyword if present. */
  acceptKeyword(kw: string): boolean {
    if (!this.isKeyword(kw)) return false;
    this.#i++;
    return true;
  }

  /** An error pointing at `tok` (default: the current token). */
  error(msg: string, tok: Token = this.peek()): MlflowError {
    return syntaxError(this.what, this.src, msg, tok.pos);
  }
}

/** The upper-cased word if `t` is a single bare word (a keyword candidate), else undefined. */
export function keywordOf(t: Token): string | undefined {
  if (t.type !== "name" || t.parts.length !== 1 || t.parts[0].quote !== "") return undefined;
  return t.parts[0].text.toUpperCase();
}

/** Describes a token for an error message: `'foo'`, `string 'foo'` or `end of input`. */
export function describe(t: Token): string {
  if (t.type === "eof") return "end of input";
  return t.type === "string" ? `string ${t.raw}` : `'${t.raw}'`;
}

/** A quoted string value: `'…'`, or `"…"` (which the lexer sees as a one-part quoted name). */
export function quotedString(t: Token): string | undefined {
  if (t.type === "string") return t.value;
  if (t.type === "name" && t.parts.length === 1 && t.parts[0].quote === '"') {
    return t.parts[0].text;
  }
  return undefined;
}

/**
 * Reads a comparator: a symbol (returned as written, e.g. `==`, for the caller to reject), or
 * LIKE / ILIKE / IN / NOT IN / IS NULL / IS NOT NULL in any case, returned upper-cased.
 * `after` names what precedes it, for the error message.
 */
export function readComparator(ts: TokenStream, after: string): string {
  const t = ts.peek();
  if (t.type === "op") {
    ts.next();
    return t.value;
  }
  const kw = keywordOf(t);
  if (kw === "LIKE" || kw === "ILIKE" || kw === "IN") {
    ts.next();
    return kw;
  }
  if (kw === "NOT" && ts.isKeyword("IN", 1)) {
    ts.next();
    ts.next();
    return "NOT IN";
  }
  if (kw === "IS") {
    ts.next();
    const not = ts.acceptKeyword("NOT");
    if (!ts.acceptKeyword("NULL")) {
      throw ts.error(
        `expected NULL after '${not ? "IS NOT" : "IS"}' but found ${describe(ts.peek())}`,
      );
    }
    return not ? "IS NOT NULL" : "IS NULL";
  }
  throw ts.error(`expected a comparator after ${after} but found ${describe(t)}`);
}
