import assert from "node:assert/strict";
import {
  addLogSecrets,
  describeError,
  logError,
  logSafe,
  MAX_LOGGED_CAUSES,
  MAX_LOGGED_CHARS,
  redactSecrets,
} from "./log.ts";

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

Deno.test("describeError() follows the cause chain up to MAX_LOGGED_CAUSES levels", () => {
  let err: Error = new Error("level 9");
  for (let i = 8; i >= 0; i--) err = new Error(`level ${i}`, { cause: err });
  const text = describeError(err);
  for (let i = 0; i <= MAX_LOGGED_CAUSES; i++) assert.ok(text.includes(`level ${i}`), `${i}`);
  assert.equal(text.includes(`level ${MAX_LOGGED_CAUSES + 1}`), false);
  // A cycle stops at the same depth.
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(describeError(a).split("caused by").length, MAX_LOGGED_CAUSES + 1);
});

Deno.test("the log blanks credentials: presigned URLs, Authorization, AWS key ids, tokens, known secrets", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  addLogSecrets([secret, "short", undefined]);
  const cause = new TypeError(
    "error sending request for url (https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request" +
      "&X-Amz-Security-Token=FwoGZXIvYXdzEBYaDH&X-Amz-Signature=0123456789abcdef0123456789abcdef): " +
      "authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/" +
      "aws4_request, SignedHeaders=host, Signature=fedcba9876543210fedcba9876543210",
  );
  const err = new Error(`secret ${secret} in a message; Bearer kvf_${"A".repeat(43)}`, { cause });
  const lines: string[] = [];
  const original = console.error;
  console.error = (s: string) => lines.push(s);
  try {
    logError(["PUT /x Basic YWRtaW46cGFzc3dvcmQ="], err);
  } finally {
    console.error = original;
  }
  const text = lines.join("\n");
  for (
    const leak of [
      secret,
      "AKIAIOSFODNN7EXAMPLE",
      "0123456789abcdef",
      "fedcba9876543210",
      "FwoGZXIvYXdzEBYaDH",
      "AAAAAAAA",
      "YWRtaW46",
    ]
  ) {
    assert.equal(text.includes(leak), false, `${leak} leaked: ${text}`);
  }
  // What is not secret stays, so the line still says what failed.
  assert.match(text, /error sending request for url \(https:\/\/b\.s3\.amazonaws\.com\/k/);
  assert.match(text, /X-Amz-Signature=\[redacted\]/);
  assert.equal(redactSecrets("Basic authentication is off"), "Basic authentication is off");
});
