import assert from "node:assert/strict";
import {
  authorization,
  backoffDelayMs,
  checked,
  MlflowRestError,
  sendWithRetries,
} from "./http.ts";

const FAST = { backoffFactorMs: 1, backoffJitterMs: 0 };

Deno.test("authorization(): a token wins; Basic is UTF-8", () => {
  assert.equal(authorization({ token: "t", username: "u", password: "p" }), "Bearer t");
  assert.equal(
    authorization({ username: "jürg", password: "p" }),
    `Basic ${btoa("j\xc3\xbcrg:p")}`,
  );
  assert.equal(authorization({ username: "u" }), undefined);
});

Deno.test("backoffDelayMs() doubles from the factor and caps at two minutes", () => {
  const r = { backoffFactorMs: 2000, backoffJitterMs: 0 };
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelayMs(a, r)), [2000, 4000, 8000, 16000]);
  assert.equal(backoffDelayMs(30, r), 120_000);
});

Deno.test("sendWithRetries() retries 429/5xx and network errors, not 4xx, and rebuilds the request", async () => {
  const statuses = [503, 429, 500, 200];
  let built = 0;
  const res = await sendWithRetries(
    () => Promise.resolve(new Response("x", { status: statuses.shift()! })),
    () => {
      built++;
      return new Request("http://x/");
    },
    FAST,
  );
  assert.equal(res.status, 200);
  assert.equal(built, 4);

  let calls = 0;
  const notRetried = await sendWithRetries(
    () => {
      calls++;
      return Promise.resolve(new Response("{}", { status: 404 }));
    },
    () => new Request("http://x/"),
    FAST,
  );
  assert.equal(notRetried.status, 404);
  assert.equal(calls, 1);

  calls = 0;
  const err = await sendWithRetries(
    () => {
      calls++;
      return Promise.reject(new TypeError("connection refused"));
    },
    () => new Request("http://x/"),
    { ...FAST, maxRetries: 2 },
  ).catch((e) => e);
  assert.ok(err instanceof MlflowRestError);
  assert.equal(err.status, 0);
  assert.equal(calls, 3);

  // The last answer stands once the retries are spent; a Retry-After past 2 minutes ends them.
  calls = 0;
  const spent = await sendWithRetries(
    () => {
      calls++;
      return Promise.resolve(new Response("", { status: 502 }));
    },
    () => new Request("http://x/"),
    { ...FAST, maxRetries: 1 },
  );
  assert.equal(spent.status, 502);
  assert.equal(calls, 2);
  calls = 0;
  const later = await sendWithRetries(
    () => {
      calls++;
      return Promise.resolve(new Response("", { status: 503, headers: { "retry-after": "3600" } }));
    },
    () => new Request("http://x/"),
    FAST,
  );
  assert.equal(later.status, 503);
  assert.equal(calls, 1);
});

Deno.test("sendWithRetries() waits as long as Retry-After asks", async () => {
  const statuses = [429, 200];
  const t0 = performance.now();
  await sendWithRetries(
    () =>
      Promise.resolve(
        new Response("", { status: statuses.shift()!, headers: { "retry-after": "1" } }),
      ),
    () => new Request("http://x/"),
    FAST,
  );
  assert.ok(performance.now() - t0 >= 950);
});

Deno.test("checked() turns MLflow's error body (or any text) into an MlflowRestError", async () => {
  const err = await checked(
    new Response('{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run x not found"}', {
      status: 404,
    }),
    "get run",
  ).catch((e) => e);
  assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(err.message, "get run failed: 404 RESOURCE_DOES_NOT_EXIST: Run x not found");
  const plain = await checked(new Response("Forbidden", { status: 403 }), "x").catch((e) => e);
  assert.equal(plain.errorCode, undefined);
  assert.match(plain.message, /403: Forbidden/);
});

Deno.test("sendWithRetries() does not retry a request that could not be built (a missing file)", async () => {
  let builds = 0;
  const err = await sendWithRetries(() => Promise.resolve(new Response("")), () => {
    builds++;
    throw new Deno.errors.NotFound("no such file");
  }, FAST).catch((e) => e);
  assert.ok(err instanceof Deno.errors.NotFound);
  assert.equal(builds, 1);
});
