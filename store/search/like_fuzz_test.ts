/**
 * The LIKE matcher against the RegExp it replaced (issue 10 #2), on small inputs where the old
 * backtracking cannot blow up: both must agree on every pattern and value.
 */
import fc from "fast-check";
import { checkProperty } from "../../tests/helpers/fuzz.ts";
import { compileLike } from "./_like.ts";

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

/** The pre-issue-10 implementation, kept here as the oracle. */
function oldLikeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let src = "^";
  for (const ch of pattern) {
    if (ch === "%") src += ".*";
    else if (ch === "_") src += ".";
    else if (REGEX_SPECIAL.test(ch)) src += `\\${ch}`;
    else src += ch;
  }
  return new RegExp(`${src}$`, caseInsensitive ? "isu" : "su");
}

// A small alphabet makes matches likely; it includes case pairs, folding oddities (ſ, K Kelvin,
// ß / ẞ), an astral character, lone surrogates, a newline and RegExp metacharacters.
const ALPHABET = [
  "a",
  "A",
  "b",
  "B",
  "s",
  "S",
  "ſ",
  "k",
  "K",
  "\u212a",
  "ß",
  "\u1e9e",
  "😀",
  "\ud800",
  "\udc00",
  "\n",
  ".",
  "*",
  "(",
  "\\",
  "$",
  "é",
  "É",
];
const valueChar = fc.constantFrom(...ALPHABET);
const patternChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("%", "_") },
  { weight: 5, arbitrary: valueChar },
);

/** Throws, naming the case, when the new matcher and the old RegExp disagree. */
function agrees(pattern: string, value: string, ci: boolean): void {
  const want = oldLikeToRegExp(pattern, ci).test(value);
  const got = compileLike(pattern, ci).test(value);
  if (want !== got) {
    throw new Error(
      `${ci ? "ILIKE" : "LIKE"} ${JSON.stringify(pattern)} on ` +
        `${JSON.stringify(value)}: old ${want}, new ${got}`,
    );
  }
}

Deno.test("LIKE matcher agrees with the old RegExp on small inputs", async () => {
  await checkProperty(
    "LIKE matcher agrees with the old RegExp on small inputs",
    fc.property(
      fc.array(patternChar, { maxLength: 8 }).map((a) => a.join("")),
      fc.array(valueChar, { maxLength: 10 }).map((a) => a.join("")),
      fc.boolean(),
      (pattern, value, ci) => {
        agrees(pattern, value, ci);
      },
    ),
    { numRuns: 3000, share: 0.5 },
  );
});

Deno.test("LIKE matcher agrees with the old RegExp on values built from the pattern", async () => {
  // Values derived from the pattern (each % and _ replaced by random text) are mostly matches,
  // so this half exercises the true branch as hard as the first exercises the false one.
  await checkProperty(
    "LIKE matcher agrees with the old RegExp on values built from the pattern",
    fc.property(
      fc.array(patternChar, { maxLength: 8 }),
      fc.array(fc.array(valueChar, { maxLength: 3 }), { minLength: 8, maxLength: 8 }),
      fc.boolean(),
      (chars, fills, ci) => {
        const pattern = chars.join("");
        const value = chars.map((c, i) =>
          c === "%" ? fills[i].join("") : c === "_" ? (fills[i][0] ?? "x") : c
        ).join("");
        agrees(pattern, value, ci);
      },
    ),
    { numRuns: 3000, share: 0.5 },
  );
});
