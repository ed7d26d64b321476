import { strict as assert } from "node:assert";
import { MlflowError } from "../store/errors.ts";
import {
  artifactBaseName,
  checkStoredLength,
  joinArtifactPath,
  normaliseArtifactPath,
  utf8Length,
} from "./path.ts";

/** `s` percent-encoded `times` times: every character once, then the `%` signs again and again. */
function encodeTimes(s: string, times: number): string {
  let out = [...new TextEncoder().encode(s)].map((b) =>
    `%${b.toString(16).padStart(2, "0").toUpperCase()}`
  ).join("");
  for (let i = 1; i < times; i++) out = encodeURIComponent(out);
  return out;
}

function assertInvalid(input: string, reason?: RegExp) {
  assert.throws(() => normaliseArtifactPath(input), (err: unknown) => {
    assert.ok(err instanceof MlflowError, `not an MlflowError for ${JSON.stringify(input)}`);
    assert.equal(err.code, "INVALID_PARAMETER_VALUE");
    assert.match(err.message, /^Invalid path: /);
    if (reason) assert.match(err.message, reason);
    return true;
  }, `accepted ${JSON.stringify(input)}`);
}

Deno.test("normaliseArtifactPath() refuses the traversal shapes of MLflow's CVEs", async (t) => {
  const shapes: Record<string, string> = {
    "dot-dot": "../../etc/passwd",
    "dot-dot inside": "1/abc/artifacts/../../../etc/passwd",
    "dot-dot last": "a/..",
    "encoded dot-dot": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "upper-case encoded dot-dot": "%2E%2E/x",
    "double-encoded dot-dot": "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "mixed encoding": "a/%2e./b",
    "backslash dot-dot": "..\\..\\x",
    "encoded backslash": "a%5c..%5cb",
    "backslash alone": "a\\b",
    "drive letter": "C:/",
    "lower-case drive letter": "c:/windows/win.ini",
    "bare drive": "C:",
    "encoded drive letter": "C%3A%2Fx",
    "UNC": "\\\\server\\share",
    "double slash": "//etc/passwd",
    "absolute": "/abs",
    "encoded absolute": "%2fetc%2fpasswd",
    "root slash": "/",
    "fragment": "a/#b",
    "encoded fragment": "a/%23b",
    "semicolon params": "a;b",
    "encoded semicolon": "a%3bb",
    "query": "a?/a",
    "encoded query": "a%3F",
    "empty segment": "a//b",
    "dot segment": "a/./b",
    "leading dot": "./a",
    "lone dot": ".",
    "NUL": "a\u0000b",
    "encoded NUL": "a%00b",
    "newline": "a\nb",
    "encoded newline": "a%0Ab",
    "tab": "a\tb",
    "DEL": "a\u007fb",
    "C1 control": "a\u0085b",
    "invalid UTF-8 escape": "a%ffb",
  };
  for (const [name, input] of Object.entries(shapes)) {
    await t.step(name, () => assertInvalid(input));
  }
});

Deno.test("normaliseArtifactPath() decodes 10 times at most", () => {
  assert.equal(normaliseArtifactPath(encodeTimes("a b", 10)), "a b");
  assertInvalid(encodeTimes("a b", 11), /still changing after 10 rounds/);
  assertInvalid(encodeTimes("../etc", 11));
  assertInvalid(encodeTimes("../etc", 5), /'\.\.' segments/);
});

Deno.test("normaliseArtifactPath() accepts ordinary names and returns them decoded", async (t) => {
  const cases: [string, string][] = [
    ["", ""],
    ["a", "a"],
    ["1/abc/artifacts/model/MLmodel", "1/abc/artifacts/model/MLmodel"],
    ["dir/", "dir"],
    [".hidden", ".hidden"],
    ["a/.gitignore", "a/.gitignore"],
    ["..foo", "..foo"],
    ["foo..", "foo.."],
    ["...", "..."],
    ["with space.txt", "with space.txt"],
    ["with%20space.txt", "with space.txt"],
    ["unicodé/日本語/😀.txt", "unicodé/日本語/😀.txt"],
    ["%E6%97%A5%E6%9C%AC", "日本"],
    ["100%.txt", "100%.txt"],
    ["a%zz", "a%zz"],
    ["ab:c", "ab:c"],
    ["12:30.log", "12:30.log"],
    ["!'()*+,=@$&~-_", "!'()*+,=@$&~-_"],
  ];
  for (const [input, expected] of cases) {
    await t.step(JSON.stringify(input), () => assert.equal(normaliseArtifactPath(input), expected));
  }
});

Deno.test("normaliseArtifactPath() quotes at most ~100 characters of the input", () => {
  const long = "a/".repeat(500) + "..";
  assert.throws(() => normaliseArtifactPath(long), (err: unknown) => {
    assert.ok(err instanceof MlflowError);
    assert.ok(err.message.length < 220, err.message);
    return true;
  });
});

Deno.test("normaliseArtifactPath() escapes control characters in its message", () => {
  assert.throws(() => normaliseArtifactPath("a\u0000\u001b[31m"), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.ok(!err.message.includes("\u0000") && !err.message.includes("\u001b"), err.message);
    return true;
  });
});

Deno.test("joinArtifactPath() joins and revalidates", () => {
  assert.equal(
    joinArtifactPath("1/abc/artifacts", "model", "MLmodel"),
    "1/abc/artifacts/model/MLmodel",
  );
  assert.equal(joinArtifactPath("", "a.txt"), "a.txt");
  assert.equal(joinArtifactPath("root", ""), "root");
  assert.equal(joinArtifactPath(), "");
  assert.throws(() => joinArtifactPath("root", ".."), MlflowError);
  assert.throws(() => joinArtifactPath("root", "%2e%2e"), MlflowError);
  assert.throws(() => joinArtifactPath("root", "/etc"), MlflowError);
});

Deno.test("artifactBaseName() returns the last segment", () => {
  assert.equal(artifactBaseName("a/b/c.txt"), "c.txt");
  assert.equal(artifactBaseName("c.txt"), "c.txt");
  assert.equal(artifactBaseName(""), "");
});

Deno.test("normaliseArtifactPath() limits each segment to 255 UTF-8 bytes", () => {
  assert.equal(normaliseArtifactPath("a".repeat(255)), "a".repeat(255));
  assert.equal(normaliseArtifactPath(`d/${"€".repeat(85)}/f`), `d/${"€".repeat(85)}/f`);
  for (const bad of ["a".repeat(256), `d/${"é".repeat(128)}`, `${"😀".repeat(64)}x/f`]) {
    assert.throws(
      () => normaliseArtifactPath(bad),
      (e) =>
        e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" &&
        /a path segment is \d+ bytes long in UTF-8, more than the 255/.test(e.message),
    );
  }
  // Percent-encoded bytes count once decoded.
  assert.throws(() => normaliseArtifactPath("%C3%A9".repeat(128)), MlflowError);
});

Deno.test("utf8Length() counts as TextEncoder does", () => {
  for (const s of ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "x\udc00y", "\ud83d"]) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  }
});

Deno.test("checkStoredLength() refuses more than the limit without naming the stored form", () => {
  checkStoredLength("/root/abc", 9, "abc");
  assert.throws(
    () => checkStoredLength("/secret-root/abcd", 16, "abcd"),
    (e) =>
      e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" &&
      e.message.includes("17 bytes") && e.message.includes("16") &&
      !e.message.includes("secret-root"),
  );
});
