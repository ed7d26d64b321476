/**
 * `onError` under failure: database size refusals, a full disk, a log write that throws, a hostile
 * error object, and request data that tries to forge log lines (issue 10 #5, #9, #10).
 */
import assert from "node:assert/strict";
import { createApp } from "./mod.ts";
import { createS3ArtifactRepository } from "../artifacts/s3.ts";
import { MlflowError } from "../store/errors.ts";
import { addLogSecrets } from "./log.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { KV_SIZE_MESSAGE, namesRequestId, STORAGE_FULL_MESSAGE } from "./errors.ts";

const GET_EXPERIMENT = "/api/2.0/mlflow/experiments/get?experiment_id=0";

/** An app whose `getExperiment` throws `err`. */
function failingApp(err: unknown) {
  const store: TrackingStore = { ...createMemoryStore(), getExperiment: () => Promise.reject(err) };
  return createApp({ store });
}

/** Runs `fn` with console.error replaced by `sink`; returns what `fn` returns. */
async function withConsoleError<T>(
  sink: (...args: unknown[]) => void,
  fn: () => T | Promise<T>,
): Promise<T> {
  const original = console.error;
  console.error = sink;
  try {
    return await fn();
  } finally {
    console.error = original;
  }
}

/** The JSON error reply of `res`, asserting its status and MLflow's shape. */
async function errorOf(res: Response, status: number) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(text);
  if (!namesRequestId(status)) {
    assert.deepEqual(Object.keys(body).sort(), ["error_code", "message"]);
    return body as { error_code: string; message: string };
  }
  // A 5xx names its request id (routes/monitoring/middleware.ts), in the message and on its own.
  assert.deepEqual(Object.keys(body).sort(), ["error_code", "message", "request_id"]);
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  const suffix = ` (request id ${body.request_id})`;
  assert.ok(body.message.endsWith(suffix), body.message);
  return { error_code: body.error_code, message: body.message.slice(0, -suffix.length) } as {
    error_code: string;
    message: string;
  };
}

/** The exact message Deno KV gives for `op`, so the mapping follows the runtime's wording. */
async function kvMessage(op: (kv: Deno.Kv) => Promise<unknown>): Promise<Error> {
  const kv = await Deno.openKv(":memory:");
  try {
    await op(kv);
  } catch (e) {
    return e as Error;
  } finally {
    kv.close();
  }
  throw new Error("the KV operation did not fail");
}

Deno.test("regression: KV size errors that escape the input checks are 400, not 500 (issue 10 #5)", async () => {
  const big = "x".repeat(3000);
  const errors = [
    await kvMessage((kv) => kv.get([big])),
    await kvMessage((kv) => kv.set([big], 1)),
    await kvMessage((kv) => kv.set(["a"], "x".repeat(70_000))),
    await kvMessage((kv) => {
      const op = kv.atomic();
      for (let i = 0; i < 20; i++) op.set(["a", i], "x".repeat(60_000));
      return op.commit();
    }),
    await kvMessage((kv) => {
      const op = kv.atomic();
      for (let i = 0; i < 1001; i++) op.set(["a", i], 1);
      return op.commit();
    }),
    await kvMessage((kv) => {
      const op = kv.atomic();
      for (let i = 0; i < 101; i++) op.check({ key: ["a", i], versionstamp: null });
      return op.commit();
    }),
    await kvMessage((kv) => kv.getMany(Array.from({ length: 11 }, (_, i) => ["a", i]))),
    // KV Connect's wording (denokv allows 10 checks), as Deno 2.9.6's client reports it.
    new Error(
      "KV Connect failed to call 'http://127.0.0.1:4512/v2/atomic_write' (status=400 Bad Request): " +
        "TooManyChecks\n\nStack backtrace:\n   0: <unknown>",
    ),
  ];
  const logged: string[] = [];
  for (const err of errors) {
    const res = await withConsoleError(
      (...a) => logged.push(a.join(" ")),
      () => failingApp(err).request(GET_EXPERIMENT),
    );
    const body = await errorOf(res, 400);
    assert.equal(body.error_code, "INVALID_PARAMETER_VALUE", err.message);
    assert.equal(body.message, KV_SIZE_MESSAGE);
  }
  // Each is logged (an input check is missing somewhere), with the database's own words.
  assert.equal(logged.length, errors.length);
  assert.match(logged[0], /Key too large for read/);
});

Deno.test("regression: a full disk is 507 INSUFFICIENT_STORAGE with a clear message (issue 10 #9)", async () => {
  const enospc = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  // The real thing where the OS offers it: /dev/full fails every write with ENOSPC.
  const real = await Deno.writeFile("/dev/full", new Uint8Array(8)).then(() => null, (e) => e);
  const cases = [
    ...(real ? [real] : []),
    new TypeError("database or disk is full"),
    new Error("database or disk is full"),
    enospc,
    new Error("commit failed", { cause: enospc }),
  ];
  for (const err of cases) {
    const res = await withConsoleError(() => {}, () => failingApp(err).request(GET_EXPERIMENT));
    const body = await errorOf(res, 507);
    assert.equal(body.error_code, "INSUFFICIENT_STORAGE");
    assert.equal(body.message, STORAGE_FULL_MESSAGE);
  }
});

Deno.test("regression: onError still answers when console.error throws (issue 10 #9)", async () => {
  const epipe = () => {
    throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
  };
  for (
    const [err, status] of [
      [new Error("boom"), 500],
      [new Error("database or disk is full"), 507],
      [new TypeError("Value too large (max 65536 bytes)"), 400],
    ] as const
  ) {
    const res = await withConsoleError(epipe, () => failingApp(err).request(GET_EXPERIMENT));
    await errorOf(res, status);
  }
});

Deno.test("onError answers an error whose every property read throws with a JSON 500 (issue 10 #9)", async () => {
  const hostile = Object.create(Error.prototype, {
    message: {
      get() {
        throw new Error("message getter");
      },
    },
    stack: {
      get() {
        throw new Error("stack getter");
      },
    },
    cause: {
      get() {
        throw new Error("cause getter");
      },
    },
  });
  // Hono hands onError only Error instances (anything else is rethrown to Deno.serve), so the
  // hostile values here are Errors whose every property read or conversion throws.
  const noString = Object.defineProperties(new Error("x"), {
    toString: {
      value: () => {
        throw new Error("toString");
      },
    },
    name: {
      get() {
        throw new Error("name getter");
      },
    },
  });
  for (const err of [hostile, noString]) {
    const logged: string[] = [];
    const res = await withConsoleError(
      (...a) => logged.push(a.join(" ")),
      () => failingApp(err).request(GET_EXPERIMENT),
    );
    const body = await errorOf(res, 500);
    assert.equal(body.error_code, "INTERNAL_ERROR");
  }
});

Deno.test("regression: %0A in the URL path cannot forge a server log line (issue 10 #10)", async () => {
  const logged: string[] = [];
  const err = new Error("lookup failed for 'x\nERROR forged from the message'");
  const app = failingApp(err);
  await withConsoleError((...a) => logged.push(a.join(" ")), async () => {
    // The UI route decodes `:experimentId`; c.req.path is decoded too.
    const res = await app.request("/experiments/1%0AERROR%20forged%20from%20the%20path%0D%1B[31m");
    assert.equal(res.status, 500);
    await res.body?.cancel();
  });
  assert.equal(logged.length, 1);
  const lines = logged[0].split("\n");
  assert.match(lines[0], /^kvflow: Unhandled error on GET \/experiments\/1\\nERROR forged/);
  assert.ok(lines[0].includes("\\r\\x1b[31m"), lines[0]);
  assert.match(lines[1], /^Error: lookup failed for 'x\\nERROR forged from the message'$/);
  for (const line of lines.slice(2)) assert.match(line, /^\s+at /, `a stack frame: ${line}`);
});

/** A port nothing listens on: a blocked or unreachable S3 endpoint. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

const S3_KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** Asks `app` for an artifact listing and returns the status and what the server logged. */
async function listArtifacts(app: ReturnType<typeof createApp>) {
  const logged: string[] = [];
  const res = await withConsoleError(
    (...a) => logged.push(a.join(" ")),
    () => app.request("/api/2.0/mlflow-artifacts/artifacts?path=1"),
  );
  return { body: await errorOf(res, res.status), status: res.status, logged };
}

Deno.test("regression: a blocked S3 is a 503 logged once with its cause chain and no secret (issue 12)", async () => {
  const app = createApp({
    store: createMemoryStore(),
    artifacts: createS3ArtifactRepository({
      bucket: "bucket",
      endpoint: `http://127.0.0.1:${closedPort()}`,
      credentials: S3_KEYS,
      retries: 0,
    }),
  });
  const { status, body, logged } = await listArtifacts(app);
  assert.equal(status, 503);
  assert.equal(body.error_code, "TEMPORARILY_UNAVAILABLE");
  assert.equal(logged.length, 1, logged.join("\n---\n"));
  assert.match(
    logged[0],
    /^kvflow: TEMPORARILY_UNAVAILABLE 503 on GET \/api\/2\.0\/mlflow-artifacts/,
  );
  assert.match(logged[0], /MlflowError: Artifact store could not be reached/);
  // The cause: the fetch failure, naming the endpoint and the OS's refusal.
  assert.match(logged[0], /caused by .*(Connection refused|connect)/i);
  for (const leak of [S3_KEYS.accessKeyId, S3_KEYS.secretAccessKey]) {
    assert.equal(logged[0].includes(leak), false, leak);
  }
});

Deno.test("a failing S3 request is logged without its Authorization header or signature (issue 12)", async () => {
  const sent: string[] = [];
  // A transport whose error quotes the request, as some HTTP clients do: the log must blank it.
  const quoting: typeof fetch = (input, init) => {
    const auth = new Headers(init?.headers).get("authorization") ?? "";
    sent.push(auth);
    return Promise.reject(
      new TypeError(
        `error sending request for ${input}?X-Amz-Signature=${"ab".repeat(32)}: ` +
          `authorization: ${auth}`,
      ),
    );
  };
  const app = createApp({
    store: createMemoryStore(),
    artifacts: createS3ArtifactRepository({
      bucket: "bucket",
      endpoint: "http://s3.invalid",
      credentials: S3_KEYS,
      retries: 0,
      fetch: quoting,
    }),
  });
  const { status, logged } = await listArtifacts(app);
  assert.equal(status, 503);
  assert.equal(logged.length, 1);
  const signature = /Signature=([0-9a-f]{64})/.exec(sent[0])?.[1];
  assert.ok(signature, sent[0]);
  for (const leak of [S3_KEYS.accessKeyId, S3_KEYS.secretAccessKey, signature, "ab".repeat(32)]) {
    assert.equal(logged[0].includes(leak), false, `${leak} in ${logged[0]}`);
  }
  assert.match(logged[0], /caused by TypeError: error sending request for http:\/\/s3\.invalid/);
});

Deno.test("S3 refusing the server's own credentials is a 403 to the client, logged for the operator (issue 12)", async () => {
  const denied: typeof fetch = () =>
    Promise.resolve(
      new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 }),
    );
  const app = createApp({
    store: createMemoryStore(),
    artifacts: createS3ArtifactRepository({
      bucket: "bucket",
      endpoint: "http://s3.invalid",
      credentials: S3_KEYS,
      retries: 0,
      fetch: denied,
    }),
  });
  const { status, body, logged } = await listArtifacts(app);
  assert.equal(status, 403);
  assert.equal(body.error_code, "PERMISSION_DENIED");
  assert.equal(logged.length, 1);
  assert.match(logged[0], /caused by S3 answered 403 AccessDenied/);
});

Deno.test("a client's own mistake (400, 404) is not logged", async () => {
  const app = createApp({ store: createMemoryStore() });
  const logged: string[] = [];
  await withConsoleError((...a) => logged.push(a.join(" ")), async () => {
    const res = await app.request("/api/2.0/mlflow/experiments/get?experiment_id=999");
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
  assert.deepEqual(logged, []);
});

Deno.test("a KV failure answered 503 is logged once with its cause, a registered KV token blanked (issue 12)", async () => {
  const token = "kv-connect-token-0123456789abcdef";
  addLogSecrets([token]);
  const err = new MlflowError("TEMPORARILY_UNAVAILABLE", "Too much contention; retry later");
  Object.defineProperty(err, "cause", {
    value: new TypeError(`KV Connect request failed (Bearer ${token}): connection reset`),
    enumerable: false,
  });
  const logged: string[] = [];
  const res = await withConsoleError(
    (...a) => logged.push(a.join(" ")),
    () => failingApp(err).request(GET_EXPERIMENT),
  );
  const body = await errorOf(res, 503);
  assert.equal(body.message, "Too much contention; retry later");
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^kvflow: TEMPORARILY_UNAVAILABLE 503 on GET \/api\/2\.0\/mlflow/);
  assert.match(logged[0], /caused by TypeError: KV Connect request failed .*connection reset/);
  assert.equal(logged[0].includes(token), false, logged[0]);
});
