/**
 * A guard run on request JSON text before `JSON.parse`: one linear pass that allocates nothing
 * in proportion to the input and answers whether the text nests deeper, or holds more values,
 * than a request may. `JSON.parse` builds the whole object tree first, so a 32 MB body of
 * `[{},{},…]` cost gigabytes before any check could run (issue 10 #3), and deep nesting overflowed
 * the stack of the recursive code that walked the tree (issue 10 #4).
 *
 * @module
 */

/**
 * The deepest nesting of arrays and objects a request body may have. MLflow's messages nest a
 * few levels (`{"metrics":[{…}]}` is 3); 32 leaves room for any client's extra wrapping.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The most JSON values (objects, arrays, strings, numbers, literals; keys do not count) a request
 * body may hold. A maximal `log-batch` (1000 metrics of up to 8 fields, 100 params, 100 tags) has
 * under 10,000; a multipart-upload completion of 10,000 parts (`{part_number, etag, url}`) about
 * 40,000. Bounds the object tree any body can make to a few megabytes.
 */
export const MAX_JSON_VALUES = 50_000;

/** What {@linkcode scanJson} found: within the limits, too deep, or too many values. */
export type JsonScan = "ok" | "depth" | "values";

/** The limits {@linkcode scanJson} checks; defaults are {@linkcode MAX_JSON_DEPTH} and {@linkcode MAX_JSON_VALUES}. */
export interface JsonLimits {
  maxDepth: number;
  maxValues: number;
}

const DEFAULT_LIMITS: JsonLimits = { maxDepth: MAX_JSON_DEPTH, maxValues: MAX_JSON_VALUES };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09;
}

/**
 * Scans JSON text for its nesting depth and value count, stopping at the first limit crossed.
 * For valid JSON the verdict is exact: depth is the number of arrays and objects open at once
 * (a scalar root is 0), values counts every value including the root. Invalid JSON gets some
 * verdict and no exception; `JSON.parse` rejects it afterwards anyway.
 *
 * Only an array of open containers' kinds, bounded by `maxDepth`, is kept.
 */
export function scanJson(text: string, limits: JsonLimits = DEFAULT_LIMITS): JsonScan {
  const { maxDepth, maxValues } = limits;
  // Container kinds by depth: 1 for an array, 0 for an object.
  const inArray = new Uint8Array(maxDepth + 1);
  let depth = 0;
  let values = 0;
  // A value may start here (document start, after `[`, `:` or an array's `,`); otherwise a
  // string is a key and other characters continue a token.
  let expectValue = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      if (expectValue && ++values > maxValues) return "values";
      expectValue = false;
      // Skip the string; an escape hides the next character (`\"`, `\\`).
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (++values > maxValues) return "values";
      if (++depth > maxDepth) return "depth";
      inArray[depth] = ch === OPEN_BRACKET ? 1 : 0;
      expectValue = ch === OPEN_BRACKET;
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      if (depth > 0) depth--;
      expectValue = false;
    } else if (ch === COMMA) {
      expectValue = depth > 0 && inArray[depth] === 1;
    } else if (ch === COLON) {
      expectValue = true;
    } else if (expectValue && !isSpace(ch)) {
      // A number or literal starts; its remaining characters fall through this chain.
      if (++values > maxValues) return "values";
      expectValue = false;
    }
  }
  return "ok";
}
