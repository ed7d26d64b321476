import assert from "node:assert/strict";
import { describeError, logError, logSafe, MAX_LOGGED_CHARS } from "./log.ts";

Deno.test("logSafe() escapes every control character, so request text stays on one line", () => {
  assert.equal(logSafe("a\nb\rc\td"), "a\\nb\\rc\\td");
  assert.equal(logSafe("\u0000\u001b[31m\u007f\u0085"), "\\x00\\x1b[31m\\x7f\\x85");
  assert.equal(logSafe("x\u2028y\u2029z"), "x\\u2028y\\u2029z");
  // Backslashes are doubled, so a literal "\n" in a request cannot pass for one of ours.
  assert.equal(logSafe("a\\nb"), "a\\\\nb");
  assert.equal(logSafe("plain ünïcødé 😀"), "plain ünïcødé 😀");
});

Deno.test("logSafe() caps request text at MAX_LOGGED_CHARS and says how much was cut", () => {
  const out = logSafe("y".repeat(MAX_LOGGED_CHARS + 500));
  assert.ok(out.startsWith("y".repeat(MAX_LOGGED_CHARS)));
  assert.ok(out.endsWith("… (500 more characters)"));
  assert.equal(logSafe("abc", 2), "ab… (1 more characters)");
});

Deno.test("describeError() keeps stack frames on their own lines but not forged ones", () => {
  const err = new Error("bad\n    at forged (evil.ts:1:1)");
  const lines = describeError(err).split("\n");
  assert.equal(lines[0], "Error: bad\\n    at forged (evil.ts:1:1)");
  assert.ok(lines.length > 1);
  assert.ok(lines.slice(1).every((l) => /^\s+at /.test(l) && !l.includes("evil.ts")));
});

Deno.test("describeError() includes one level of cause", () => {
  const err = new Error("outer", { cause: new Error("inner\nline") });
  const text = describeError(err);
  assert.match(text, /caused by Error: inner\\nline/);
});

Deno.test("logError() never throws, whatever console.error or the error does", () => {
  const original = console.error;
  try {
    console.error = () => {
      throw new Error("EPIPE");
    };
    logError(["x"], new Error("y"));
    console.error = original;
    const hostile = {
      get message(): string {
        throw new Error("getter");
      },
    };
    const lines: string[] = [];
    console.error = (s: string) => lines.push(s);
    logError(["path\n"], hostile);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^kvflow: path\\n\nError: $/);
  } finally {
    console.error = original;
  }
});
