/**
 * Property: whatever a request carries (any UTF-16 string, lone surrogates and controls included),
 * one logged entry stays one inert line per part and never throws.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkProperty } from "../tests/helpers/fuzz.ts";
import { logError, logSafe, MAX_LOGGED_CHARS } from "./log.ts";

// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom("\n", "\r", "\\", "\u001b", "a", "\u2028", "\u0085"),
    maxLength: 50,
  }),
  fc.string({ unit: "grapheme", minLength: MAX_LOGGED_CHARS - 5, maxLength: MAX_LOGGED_CHARS + 5 }),
);

Deno.test("logSafe() output never holds a control character and is capped (property)", async () => {
  await checkProperty(
    "logSafe is inert",
    fc.property(text, (s) => {
      const out = logSafe(s);
      assert.ok(!UNSAFE.test(out), JSON.stringify(out));
      assert.ok(out.length <= MAX_LOGGED_CHARS * 6 + 40);
    }),
    { numRuns: 300, share: 0.5 },
  );
});

Deno.test("logError() writes exactly one line per request part (property)", async () => {
  const original = console.error;
  try {
    await checkProperty(
      "logError keeps request text on one line",
      fc.property(fc.array(text, { maxLength: 4 }), (parts) => {
        const lines: string[] = [];
        console.error = (s: string) => lines.push(s);
        logError(parts);
        assert.equal(lines.length, 1);
        assert.equal(lines[0].split("\n").length, 1);
      }),
      { numRuns: 200, share: 0.5 },
    );
  } finally {
    console.error = original;
  }
});
