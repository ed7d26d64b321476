/**
 * SQL LIKE patterns compiled to RegExp once, at parse time, so evaluating a filter over many runs
 * never rebuilds them.
 *
 * @module
 */

// Syntax characters that must be escaped in a `u`-mode RegExp (escaping others is an error there).
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

/**
 * Compiles a LIKE pattern: `%` matches any run of characters (newlines included), `_` exactly one
 * character (a code point), everything else itself. There is no escape character, as in SQLite's
 * default LIKE, which MLflow's reference server uses. `ILIKE` passes `caseInsensitive`.
 *
 * @example
 * ```ts
 * likeToRegExp("run_%", false).test("run-1"); // true
 * ```
 */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let src = "^";
  for (const ch of pattern) {
    if (ch === "%") src += ".*";
    else if (ch === "_") src += ".";
    else if (REGEX_SPECIAL.test(ch)) src += `\\${ch}`;
    else src += ch;
  }
  return new RegExp(`${src}$`, caseInsensitive ? "isu" : "su");
}
