import assert from "node:assert/strict";
import { addLogSecrets } from "../log.ts";
import { requestIdFor } from "./middleware.ts";
import {
  createBufferedLog,
  formatRequestLog,
  LOG_FLUSH_BYTES,
  type RequestLogEntry,
} from "./request_log.ts";

const entry = (over: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  time: new Date("2026-12-05T20:00:00.000Z"),
  method: "POST",
  route: "/api/2.0/mlflow/runs/log-metric",
  status: 200,
  durationMs: 1.23456,
  bytes: 2,
  requestId: "abc-1",
  user: undefined,
  ...over,
});

Deno.test("formatRequestLog() text is one logfmt line with every field", () => {
  assert.equal(
    formatRequestLog(entry(), "text"),
    "time=2026-12-05T20:00:00.000Z method=POST route=/api/2.0/mlflow/runs/log-metric " +
      "status=200 duration_ms=1.23 bytes=2 request_id=abc-1 user=-",
  );
  assert.match(
    formatRequestLog(entry({ bytes: undefined, user: "alice" }), "text"),
    / bytes=- request_id=abc-1 user=alice$/,
  );
});

Deno.test("formatRequestLog() json is one object a line", () => {
  const line = formatRequestLog(entry({ user: "bob", bytes: undefined }), "json");
  assert.deepEqual(JSON.parse(line), {
    time: "2026-12-05T20:00:00.000Z",
    method: "POST",
    route: "/api/2.0/mlflow/runs/log-metric",
    status: 200,
    duration_ms: 1.23,
    bytes: null,
    request_id: "abc-1",
    user: "bob",
  });
});

Deno.test("formatRequestLog() escapes control characters and blanks secrets in every value", () => {
  addLogSecrets(["s3cr3t-value-xyz"]);
  const hostile =
    'eve\nERROR forged\r\u001b[31m\u2028 "q" s3cr3t-value-xyz kvf_abcdefghijklmnopqrstuvwxyz';
  for (const format of ["text", "json"] as const) {
    const line = formatRequestLog(entry({ user: hostile, method: "GE\tT" }), format);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f\u2028\u2029]/, format);
    assert.ok(!line.includes("s3cr3t-value-xyz"), line);
    assert.ok(!line.includes("kvf_abcdefghijklmnopqrstuvwxyz"), line);
    if (format === "json") {
      assert.equal(
        JSON.parse(line).user.split("\n")[1],
        'ERROR forged\r\u001b[31m\u2028 "q" [redacted] [redacted]',
      );
    } // text: quoted because of the spaces, quotes escaped, still one field.
    else {assert.match(
        line,
        /user="eve\\nERROR forged\\r\\x1b\[31m\\u2028 \\"q\\" \[redacted\] \[redacted\]"$/,
      );}
  }
});

Deno.test("requestIdFor() keeps a safe client id and replaces anything else", () => {
  for (const ok of ["a", "abc-DEF_1.2:3", "x".repeat(128)]) assert.equal(requestIdFor(ok), ok);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (
    const bad of [
      undefined,
      "",
      "x".repeat(129),
      "a\nb",
      "a b",
      "ünï",
      "😀",
      "a/b",
      "<x>",
      "x".repeat(10_000),
    ]
  ) {
    const id = requestIdFor(bad);
    assert.match(id, uuid, String(bad));
    assert.notEqual(id, bad);
  }
});

Deno.test("createBufferedLog() writes lines in batches, at once past LOG_FLUSH_BYTES, and on flush()", () => {
  const writes: string[] = [];
  const log = createBufferedLog((t) => writes.push(t));
  log.sink("one");
  log.sink("two");
  assert.deepEqual(writes, []);
  log.flush();
  assert.deepEqual(writes, ["one\ntwo\n"]);
  const big = "x".repeat(LOG_FLUSH_BYTES);
  log.sink(big);
  assert.deepEqual(writes, ["one\ntwo\n", `${big}\n`]);
  log.flush();
  assert.equal(writes.length, 2);
});

Deno.test("createBufferedLog() swallows a failing write", () => {
  const log = createBufferedLog(() => {
    throw new Deno.errors.BrokenPipe("closed");
  });
  log.sink("x");
  log.flush();
});
