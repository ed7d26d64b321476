/**
 * The JSON guard's verdict against the truth: `JSON.parse` plus a recursive walk measuring depth
 * and counting values, on random JSON (strings full of brackets, quotes and escapes included), on
 * the same JSON pretty-printed, and on random text that may not be JSON at all (never a throw).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkProperty } from "../tests/helpers/fuzz.ts";
import { type JsonLimits, type JsonScan, scanJson } from "./json_guard.ts";

/** Depth (open containers at once; a scalar is 0) and value count of a parsed value. */
function measure(value: unknown): { depth: number; values: number } {
  if (typeof value !== "object" || value === null) return { depth: 0, values: 1 };
  const children = Array.isArray(value) ? value : Object.values(value);
  let depth = 0;
  let values = 1;
  for (const child of children) {
    const m = measure(child);
    depth = Math.max(depth, m.depth);
    values += m.values;
  }
  return { depth: depth + 1, values };
}

/** What the scanner must answer for valid JSON text under `limits`. */
function expected(text: string, limits: JsonLimits): JsonScan {
  const { depth, values } = measure(JSON.parse(text));
  if (depth <= limits.maxDepth && values <= limits.maxValues) return "ok";
  // The scanner stops at the first limit crossed in text order; either verdict names a real
  // excess, so when both are exceeded either is right (checked by the caller).
  return depth > limits.maxDepth ? "depth" : "values";
}

/** Strings that stress the scanner's string skipping. */
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom("[", "]", "{", "}", '"', "\\", ",", ":", "a", " ", "\u2028") }),
  fc.string({ unit: "grapheme" }),
);

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5e-7, 12345678901234567890),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    tricky,
    fc.array(tie("value"), { maxLength: 6 }),
    fc.dictionary(tricky, tie("value"), { maxKeys: 5 }),
  ),
})).value;

const limits = fc.record({
  maxDepth: fc.integer({ min: 0, max: 8 }),
  maxValues: fc.integer({ min: 1, max: 60 }),
});

Deno.test("json guard: verdict agrees with JSON.parse + a recursive depth/value count", async () => {
  await checkProperty(
    "json guard agrees with JSON.parse",
    fc.property(json, limits, fc.boolean(), (value, lim, pretty) => {
      const text = JSON.stringify(value, null, pretty ? 2 : undefined);
      const got = scanJson(text, lim);
      const want = expected(text, lim);
      const { depth, values } = measure(JSON.parse(text));
      if (want === "ok") assert.equal(got, "ok", text);
      else if (depth > lim.maxDepth && values > lim.maxValues) assert.notEqual(got, "ok", text);
      else assert.equal(got, want, text);
    }),
    { numRuns: 2000, share: 0.8 },
  );
});

Deno.test("json guard: arbitrary text never throws and gets a verdict", async () => {
  await checkProperty(
    "json guard total on any text",
    fc.property(
      fc.string({ unit: fc.constantFrom("[", "]", "{", "}", '"', "\\", ",", ":", "1", "x", " ") }),
      limits,
      (text, lim) => {
        assert.ok(["ok", "depth", "values"].includes(scanJson(text, lim)));
      },
    ),
    { numRuns: 1000, share: 0.2 },
  );
});
