/**
 * SQL LIKE patterns compiled once, at parse time, into a matcher that cannot blow up.
 *
 * A single RegExp such as `^.*a.*a.*a.*b$` backtracks: on `'a' × 100` each extra `%a` multiplied
 * the time by ~12 (issue 10 #2). Instead the pattern is split at `%` into segments; a segment is a
 * fixed number of code points (`_` is any one code point, every other character itself), so it
 * compiles to a RegExp with no quantifier and no alternation, which has nothing to backtrack over.
 * The first segment is matched anchored at the start, the last one anchored at the end, and the
 * ones between are each found leftmost, in order, after the previous one.
 *
 * Why leftmost is enough: if some placement of the middle segments fits, then by induction the
 * leftmost search ends each segment no later than that placement does (it starts searching no
 * later, and a segment's length is fixed, so an earlier start gives an earlier end); so the last
 * middle segment ends no later than the fixed start of the final segment. Conversely, a greedy
 * placement that fits is a match. So greedy finds a match exactly when one exists.
 *
 * Cost: matching a segment at one position is O(segment length); a leftmost search tries each
 * position once. A value of n code units against a pattern of m characters is therefore
 * O(n · m) in the worst case (typically O(n)), instead of exponential in the number of `%`.
 *
 * Case and characters: every segment is compiled with the flags the whole pattern used to have
 * (`su`, plus `i` for ILIKE), so `_` is one code point, newlines are ordinary characters, and
 * ILIKE compares characters under exactly the same Unicode simple case folding as before.
 *
 * @module
 */

// Syntax characters that must be escaped in a `u`-mode RegExp (escaping others is an error there).
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

/** A compiled LIKE / ILIKE pattern: `test(value)` says whether the whole value matches. */
export interface LikeMatcher {
  test(value: string): boolean;
}

/** One `%`-free piece of a pattern. */
interface Segment {
  /** Matches the segment at `lastIndex` only (flag `y`). */
  sticky: RegExp;
  /** Finds the segment's leftmost occurrence from `lastIndex` on (flag `g`). */
  search: RegExp;
  /** How many code points the segment matches. */
  codePoints: number;
}

function segmentSource(segment: string): { src: string; codePoints: number } {
  let src = "";
  let codePoints = 0;
  for (const ch of segment) {
    codePoints++;
    if (ch === "_") src += ".";
    else if (REGEX_SPECIAL.test(ch)) src += `\\${ch}`;
    else src += ch;
  }
  return { src, codePoints };
}

function compileSegment(segment: string, flags: string): Segment {
  const { src, codePoints } = segmentSource(segment);
  return {
    sticky: new RegExp(src, `${flags}y`),
    search: new RegExp(src, `${flags}g`),
    codePoints,
  };
}

/**
 * The index `count` code points before `end` in `s`, or -1 when `s` is shorter. A surrogate pair
 * counts as one code point and a lone surrogate as one, as `u`-mode RegExps count them.
 */
function codePointsBefore(s: string, end: number, count: number): number {
  let i = end;
  for (let k = 0; k < count; k++) {
    if (i <= 0) return -1;
    i--;
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const lead = s.charCodeAt(i - 1);
      if (lead >= 0xd800 && lead <= 0xdbff) i--;
    }
  }
  return i;
}

function matchesAt(re: RegExp, s: string, at: number): number {
  re.lastIndex = at;
  return re.test(s) ? re.lastIndex : -1;
}

/**
 * Compiles a LIKE pattern: `%` matches any run of characters (newlines included), `_` exactly one
 * character (a code point), everything else itself. There is no escape character, as in SQLite's
 * default LIKE, which MLflow's reference server uses. `ILIKE` passes `caseInsensitive`.
 * Matching never backtracks; see the module comment for why it is correct and what it costs.
 *
 * @example
 * ```ts
 * compileLike("run_%", false).test("run-1"); // true
 * ```
 */
export function compileLike(pattern: string, caseInsensitive: boolean): LikeMatcher {
  const flags = caseInsensitive ? "isu" : "su";
  const parts = pattern.split("%");
  if (parts.length === 1) {
    // No `%`: the value is exactly one fixed-length segment.
    const whole = compileSegment(pattern, flags);
    return { test: (s) => matchesAt(whole.sticky, s, 0) === s.length };
  }
  const first = compileSegment(parts[0], flags);
  const last = compileSegment(parts[parts.length - 1], flags);
  const middle = parts.slice(1, -1).filter((p) => p !== "").map((p) => compileSegment(p, flags));
  return {
    test(s: string): boolean {
      const from = parts[0] === "" ? 0 : matchesAt(first.sticky, s, 0);
      if (from < 0) return false;
      // The last segment's start is fixed by its length in code points.
      const to = codePointsBefore(s, s.length, last.codePoints);
      if (to < from || matchesAt(last.sticky, s, to) !== s.length) return false;
      let at = from;
      for (const seg of middle) {
        seg.search.lastIndex = at;
        if (!seg.search.test(s)) return false;
        at = seg.search.lastIndex;
        if (at > to) return false;
      }
      return true;
    },
  };
}
