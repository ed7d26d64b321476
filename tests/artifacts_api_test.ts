/**
 * The artifact routes over HTTP on a local repository in a temp dir: the proxy
 * (`/api/2.0/mlflow-artifacts/…`), the run routes (`artifacts/list`, `/get-artifact`,
 * `upload-artifact`), the 503 modes, and one test per traversal / injection shape of
 * mlflow-rest.md §9 and §11.
 *
 * The attack tests go through a real `Deno.serve` and a raw TCP socket: `app.request()` builds a
 * `Request` whose URL parser already resolves `..` and turns `\` into `/`, while a real server
 * hands the request target to the app verbatim. A canary file beside the root must survive every
 * attack unread, unlisted, unchanged and undeleted.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { type AppDeps, createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { attacks, rawRequest, SHAPES } from "./helpers/artifact_attacks.ts";
import {
  API,
  createRun,
  expectError,
  expectJson,
  MISSING,
  post,
  type TestApp,
} from "./api/_helpers.ts";

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const MPU = "/api/2.0/mlflow-artifacts/mpu";
const CANARY_TEXT = "canary: must never be read, listed, changed or deleted";
const MPU_PREFIX = "Multipart upload is not supported for the current artifact repository";

interface Fixture extends AsyncDisposable {
  app: TestApp;
  /** The temp dir holding `root/` (the repository) and the canaries. */
  dir: string;
  root: string;
  /** A file beside the root, reachable only by escaping it. */
  canary: string;
  /** A run whose artifact root is `mlflow-artifacts:/<exp>/<run>/artifacts`. */
  runId: string;
  /** `<exp>/<run>/artifacts`, the run's root inside the repository. */
  runRoot: string;
  /** Asserts the canary, and the temp dir's top level, are exactly as planted. */
  assertCanaryIntact(): Promise<void>;
}

async function setup(opts: Partial<AppDeps> = {}): Promise<Fixture> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kvflow-artifacts-api-" }));
  const root = `${dir}/root`;
  await Deno.mkdir(root);
  const canary = `${dir}/canary.txt`;
  await Deno.writeTextFile(canary, CANARY_TEXT);
  await Deno.mkdir(`${dir}/etc`);
  await Deno.writeTextFile(`${dir}/etc/passwd`, CANARY_TEXT);
  const store = createMemoryStore();
  const app = createApp({
    store,
    artifacts: createLocalArtifactRepository({ rootDir: root }),
    ...opts,
  });
  // Through the store, so that an artifacts-only app (tracking routes off) gets a run too.
  const run = await store.createRun({
    experimentId: await store.createExperiment({ name: "artifacts" }),
  });
  const runId = run.info.run_id;
  const runRoot = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
  return {
    app,
    dir,
    root,
    canary,
    runId,
    runRoot,
    async assertCanaryIntact() {
      assert.equal(await Deno.readTextFile(canary), CANARY_TEXT);
      assert.equal(await Deno.readTextFile(`${dir}/etc/passwd`), CANARY_TEXT);
      const top = [];
      for await (const e of Deno.readDir(dir)) top.push(e.name);
      assert.deepEqual(top.sort(), ["canary.txt", "etc", "root"]);
      const etc = [];
      for await (const e of Deno.readDir(`${dir}/etc`)) etc.push(e.name);
      assert.deepEqual(etc, ["passwd"]);
    },
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

const put = (app: TestApp, path: string, body: BodyInit, headers: HeadersInit = {}) =>
  app.request(`${PROXY}/${path}`, { method: "PUT", body, headers });

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

// ---------------------------------------------------------------------------------------------
// Proxy: upload and download

Deno.test("PUT then GET /mlflow-artifacts/artifacts/{path} round-trips bytes", async () => {
  await using f = await setup();
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  await expectJson(put(f.app, "1/r/artifacts/bin/all.bin", bytes), 200).then((b) => {
    assert.deepEqual(b, {});
  });
  assert.deepEqual(await Deno.readFile(`${f.root}/1/r/artifacts/bin/all.bin`), bytes);
  const res = await f.app.request(`${PROXY}/1/r/artifacts/bin/all.bin`);
  assert.equal(res.status, 200);
  assert.deepEqual(await bytesOf(res), bytes);
});

Deno.test("PUT accepts any Content-Type, none, and an empty body", async (t) => {
  await using f = await setup();
  for (
    const [name, ct] of [
      ["a.txt", "text/plain"],
      ["b.json", "application/json"],
      ["c.html", "text/html"],
      ["d.png", "image/png"],
      ["e.bin", "application/octet-stream"],
      ["f.form", "application/x-www-form-urlencoded"],
      ["g.multi", "multipart/form-data; boundary=x"],
    ]
  ) {
    await t.step(ct, async () => {
      // A JSON-looking body with a JSON type is still stored verbatim, not decoded.
      const body = `{"name": "${name}"} not json either`;
      await expectJson(put(f.app, `x/${name}`, body, { "Content-Type": ct }), 200);
      assert.equal(await Deno.readTextFile(`${f.root}/x/${name}`), body);
    });
  }
  await t.step("no Content-Type", async () => {
    await expectJson(
      f.app.request(`${PROXY}/x/none.dat`, { method: "PUT", body: new Uint8Array([1, 2]) }),
      200,
    );
    assert.deepEqual(await Deno.readFile(`${f.root}/x/none.dat`), new Uint8Array([1, 2]));
  });
  await t.step("empty body is an empty file", async () => {
    await expectJson(f.app.request(`${PROXY}/x/empty.txt`, { method: "PUT" }), 200);
    assert.equal((await Deno.stat(`${f.root}/x/empty.txt`)).size, 0);
  });
});

Deno.test("PUT overwrites, streams a ReadableStream body, and works under /ajax-api", async () => {
  await using f = await setup();
  await expectJson(put(f.app, "o/file.txt", "first version"), 200);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const part of ["se", "cond"]) c.enqueue(new TextEncoder().encode(part));
      c.close();
    },
  });
  await expectJson(
    f.app.request(`/ajax-api/2.0/mlflow-artifacts/artifacts/o/file.txt`, {
      method: "PUT",
      body: stream,
    }),
    200,
  );
  assert.equal(await Deno.readTextFile(`${f.root}/o/file.txt`), "second");
});

Deno.test("PUT decodes the path once per round: %20 is a space, %2F a slash", async () => {
  await using f = await setup();
  await expectJson(put(f.app, "e/my%20file.txt", "a"), 200);
  await expectJson(put(f.app, "e/sub%2Fnested.txt", "b"), 200);
  assert.equal(await Deno.readTextFile(`${f.root}/e/my file.txt`), "a");
  assert.equal(await Deno.readTextFile(`${f.root}/e/sub/nested.txt`), "b");
  const res = await f.app.request(`${PROXY}/e/my%20file.txt`);
  assert.equal(await res.text(), "a");
});

Deno.test("GET download headers: attachment, guessed type, nosniff, ranges", async (t) => {
  await using f = await setup();
  const cases: [string, string][] = [
    ["hello.txt", "text/plain"],
    ["MLmodel", "text/plain"],
    ["conda.yaml", "text/plain"],
    ["config.json", "application/json"],
    ["table.csv", "text/csv"],
    ["estimator.html", "text/html"],
    ["plot.png", "image/png"],
    ["photo.JPG", "image/jpeg"],
    ["chart.svg", "image/svg+xml"],
    ["model.pkl", "application/octet-stream"],
    ["noext", "application/octet-stream"],
  ];
  for (const [name, type] of cases) {
    await t.step(name, async () => {
      await expectJson(put(f.app, `h/${name}`, "12345"), 200);
      const res = await f.app.request(`${PROXY}/h/${name}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), type);
      assert.equal(res.headers.get("content-disposition"), `attachment; filename="${name}"`);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("accept-ranges"), "bytes");
      assert.equal(res.headers.get("content-length"), "5");
      assert.match(res.headers.get("content-security-policy") ?? "", /sandbox/);
      assert.equal(await res.text(), "12345");
    });
  }
});

Deno.test("GET Content-Disposition quotes safely and adds filename* for non-ASCII", async () => {
  await using f = await setup();
  await expectJson(put(f.app, "q/we%22ird.txt", "x"), 200);
  let res = await f.app.request(`${PROXY}/q/we%22ird.txt`);
  assert.equal(res.headers.get("content-disposition"), 'attachment; filename="we\\"ird.txt"');
  await res.body?.cancel();
  await expectJson(put(f.app, `q/${encodeURIComponent("résumé (1).txt")}`, "x"), 200);
  res = await f.app.request(`${PROXY}/q/${encodeURIComponent("résumé (1).txt")}`);
  assert.equal(
    res.headers.get("content-disposition"),
    `attachment; filename="r_sum_ (1).txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.txt`,
  );
  await res.body?.cancel();
});

Deno.test("GET with Range: 206 slices, 416 when unsatisfiable, bad headers ignored", async (t) => {
  await using f = await setup();
  await expectJson(put(f.app, "r/ten.bin", "0123456789"), 200);
  const get = (range: string) => f.app.request(`${PROXY}/r/ten.bin`, { headers: { Range: range } });
  for (
    const [range, body, contentRange] of [
      ["bytes=2-5", "2345", "bytes 2-5/10"],
      ["bytes=7-", "789", "bytes 7-9/10"],
      ["bytes=-3", "789", "bytes 7-9/10"],
      ["bytes=8-100", "89", "bytes 8-9/10"],
      ["bytes=-50", "0123456789", "bytes 0-9/10"],
      ["bytes=0-0", "0", "bytes 0-0/10"],
    ]
  ) {
    await t.step(`${range} → 206`, async () => {
      const res = await get(range);
      assert.equal(res.status, 206);
      assert.equal(res.headers.get("content-range"), contentRange);
      assert.equal(res.headers.get("content-length"), String(body.length));
      assert.match(res.headers.get("content-disposition") ?? "", /^attachment/);
      assert.equal(await res.text(), body);
    });
  }
  for (const range of ["bytes=10-", "bytes=10-20", "bytes=-0"]) {
    await t.step(`${range} → 416`, async () => {
      const res = get(range);
      const msg = await expectError(res, 416, "INVALID_PARAMETER_VALUE");
      assert.match(msg, /not satisfiable/);
      assert.equal((await res).headers.get("content-range"), "bytes */10");
    });
  }
  for (const range of ["bytes=5-2", "items=0-1", "bytes=0-1,3-4", "bytes=x-y", "bytes=-"]) {
    await t.step(`${range} is ignored → 200`, async () => {
      const res = await get(range);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "0123456789");
    });
  }
  await t.step("any range of an empty file → 416", async () => {
    await expectJson(f.app.request(`${PROXY}/r/empty`, { method: "PUT" }), 200);
    const res = f.app.request(`${PROXY}/r/empty`, { headers: { Range: "bytes=0-" } });
    await expectError(res, 416, "INVALID_PARAMETER_VALUE");
  });
});

Deno.test("GET a missing file or a directory is 404 RESOURCE_DOES_NOT_EXIST", async () => {
  await using f = await setup();
  await expectJson(put(f.app, "m/dir/a.txt", "a"), 200);
  await expectError(f.app.request(`${PROXY}/m/nope.txt`), 404, "RESOURCE_DOES_NOT_EXIST");
  await expectError(f.app.request(`${PROXY}/m/dir`), 404, "RESOURCE_DOES_NOT_EXIST");
  await expectError(f.app.request(`${PROXY}/m/dir/`), 404, "RESOURCE_DOES_NOT_EXIST");
  await expectError(f.app.request(`${PROXY}/never/was`), 404, "RESOURCE_DOES_NOT_EXIST");
});

Deno.test("HEAD on a download gives the headers only", async () => {
  await using f = await setup();
  await expectJson(put(f.app, "head/a.txt", "abc"), 200);
  const res = await f.app.request(`${PROXY}/head/a.txt`, { method: "HEAD" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), "3");
  assert.equal(await res.text(), "");
});

// ---------------------------------------------------------------------------------------------
// Proxy: list and delete

Deno.test("GET /mlflow-artifacts/artifacts?path= lists base names sorted", async (t) => {
  await using f = await setup();
  for (const p of ["l/b.txt", "l/a.json", "l/dir/x.txt", "l/Z.txt", "l/sub/deeper/y.txt"]) {
    await expectJson(put(f.app, p, "12"), 200);
  }
  await expectJson(f.app.request(`${PROXY}/l/empty.txt`, { method: "PUT" }), 200);
  await t.step("a directory", async () => {
    assert.deepEqual(await expectJson(f.app.request(`${PROXY}?path=l`), 200), {
      files: [
        { path: "Z.txt", is_dir: false, file_size: 2 },
        { path: "a.json", is_dir: false, file_size: 2 },
        { path: "b.txt", is_dir: false, file_size: 2 },
        { path: "dir", is_dir: true },
        { path: "empty.txt", is_dir: false },
        { path: "sub", is_dir: true },
      ],
    });
  });
  await t.step("nested, encoded and trailing-slash forms", async () => {
    const want = { files: [{ path: "deeper", is_dir: true }] };
    assert.deepEqual(await expectJson(f.app.request(`${PROXY}?path=l/sub`), 200), want);
    assert.deepEqual(await expectJson(f.app.request(`${PROXY}?path=l%2Fsub%2F`), 200), want);
  });
  await t.step("the root (no path, or empty)", async () => {
    const want = { files: [{ path: "l", is_dir: true }] };
    assert.deepEqual(await expectJson(f.app.request(PROXY), 200), want);
    assert.deepEqual(await expectJson(f.app.request(`${PROXY}?path=`), 200), want);
  });
  await t.step("{} for a missing path, a file, and an empty directory", async () => {
    await Deno.mkdir(`${f.root}/l/hollow`);
    for (const p of ["nope", "l/b.txt", "l/hollow", "l/dir/x.txt/deeper"]) {
      const res = f.app.request(`${PROXY}?path=${encodeURIComponent(p)}`);
      assert.deepEqual(await expectJson(res, 200), {}, p);
    }
  });
  await t.step("under /ajax-api too", async () => {
    const res = f.app.request(`/ajax-api/2.0/mlflow-artifacts/artifacts?path=l/dir`);
    assert.deepEqual(await expectJson(res, 200), {
      files: [{ path: "x.txt", is_dir: false, file_size: 2 }],
    });
  });
});

Deno.test("DELETE /mlflow-artifacts/artifacts/{path} removes files and trees", async (t) => {
  await using f = await setup();
  for (const p of ["d/keep.txt", "d/gone.txt", "d/tree/a.txt", "d/tree/b/c.txt", "d2/run/x"]) {
    await expectJson(put(f.app, p, "x"), 200);
  }
  const del = (p: string) => f.app.request(`${PROXY}/${p}`, { method: "DELETE" });
  await t.step("a file", async () => {
    assert.deepEqual(await expectJson(del("d/gone.txt"), 200), {});
    await assert.rejects(Deno.stat(`${f.root}/d/gone.txt`), Deno.errors.NotFound);
  });
  await t.step("a directory, recursively", async () => {
    assert.deepEqual(await expectJson(del("d/tree"), 200), {});
    await assert.rejects(Deno.stat(`${f.root}/d/tree`), Deno.errors.NotFound);
    assert.equal(await Deno.readTextFile(`${f.root}/d/keep.txt`), "x");
  });
  await t.step("a directory named with a trailing slash", async () => {
    assert.deepEqual(await expectJson(del("d2/run/"), 200), {});
    await assert.rejects(Deno.stat(`${f.root}/d2/run`), Deno.errors.NotFound);
  });
  await t.step("a missing path is a no-op", async () => {
    assert.deepEqual(await expectJson(del("d/never"), 200), {});
    assert.deepEqual(await expectJson(del("nowhere/at/all/"), 200), {});
  });
  await t.step("a DELETE needs no Content-Type", async () => {
    await expectJson(put(f.app, "d/ct.txt", "x"), 200);
    const res = f.app.request(`${PROXY}/d/ct.txt`, {
      method: "DELETE",
      headers: { "Content-Type": "text/plain" },
      body: "ignored",
    });
    assert.deepEqual(await expectJson(res, 200), {});
  });
});

// ---------------------------------------------------------------------------------------------
// Proxy: multipart

Deno.test("mpu create / complete / abort on the local backend: 501 with MLflow's prefix", async (t) => {
  await using f = await setup();
  const call = (op: string, body: unknown, headers: HeadersInit = {}) =>
    post(f.app, `${MPU}/${op}/1/r/artifacts/big.bin`, body, headers);
  for (
    const [op, body] of [
      ["create", { path: "big.bin", num_parts: 3 }],
      ["complete", { path: "big.bin", upload_id: "u", parts: [{ part_number: 1, etag: "e" }] }],
      ["abort", { path: "big.bin", upload_id: "u" }],
    ] as const
  ) {
    await t.step(`${op} → 501 NOT_IMPLEMENTED`, async () => {
      const msg = await expectError(call(op, body), 501, "NOT_IMPLEMENTED");
      assert.ok(msg.startsWith(MPU_PREFIX), msg);
    });
  }
  await t.step("missing fields → 400", async () => {
    assert.equal(
      await expectError(call("create", { num_parts: 1 }), 400, "INVALID_PARAMETER_VALUE"),
      MISSING("path"),
    );
    await expectError(
      call("complete", { path: "x", upload_id: "u" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(call("abort", { path: "x" }), 400, "INVALID_PARAMETER_VALUE");
  });
  await t.step("a non-JSON body is 400, as every MLflow POST", async () => {
    const res = f.app.request(`${MPU}/create/x.bin`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: '{"path":"x","num_parts":1}',
    });
    await expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });
  await t.step("the path is checked before the backend", async () => {
    const res = post(f.app, `${MPU}/create/%2e%2e%2fx.bin`, { path: "x", num_parts: 1 });
    await expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });
});

// ---------------------------------------------------------------------------------------------
// Run routes

Deno.test("GET artifacts/list lists under the run's root with run-relative paths", async (t) => {
  await using f = await setup();
  for (const p of ["model/MLmodel", "model/data/w.bin", "hello.txt", "dir/a.txt"]) {
    await expectJson(put(f.app, `${f.runRoot}/${p}`, "abc"), 200);
  }
  const rootUri = `mlflow-artifacts:/${f.runRoot}`;
  const list = (q: string) => f.app.request(`${API}/artifacts/list?${q}`);
  await t.step("the root", async () => {
    assert.deepEqual(await expectJson(list(`run_id=${f.runId}`), 200), {
      root_uri: rootUri,
      files: [
        { path: "dir", is_dir: true },
        { path: "hello.txt", is_dir: false, file_size: 3 },
        { path: "model", is_dir: true },
      ],
    });
  });
  await t.step("a subdirectory, via run_uuid and /ajax-api", async () => {
    const res = f.app.request(
      `/ajax-api/2.0/mlflow/artifacts/list?run_uuid=${f.runId}&path=model`,
    );
    assert.deepEqual(await expectJson(res, 200), {
      root_uri: rootUri,
      files: [
        { path: "model/MLmodel", is_dir: false, file_size: 3 },
        { path: "model/data", is_dir: true },
      ],
    });
    const deeper = await expectJson(list(`run_id=${f.runId}&path=model/data/`), 200);
    assert.deepEqual(deeper.files, [{ path: "model/data/w.bin", is_dir: false, file_size: 3 }]);
  });
  await t.step("only root_uri when empty, missing or a file", async () => {
    for (const p of ["nope", "hello.txt"]) {
      assert.deepEqual(await expectJson(list(`run_id=${f.runId}&path=${p}`), 200), {
        root_uri: rootUri,
      });
    }
    const other = await createRun(f.app);
    const body = await expectJson(list(`run_id=${other}&page_token=ignored`), 200);
    assert.deepEqual(Object.keys(body), ["root_uri"]);
  });
  await t.step("unknown run → 404, no run id → 400", async () => {
    await expectError(list("run_id=0123456789abcdef"), 404, "RESOURCE_DOES_NOT_EXIST");
    assert.equal(
      await expectError(list("path=x"), 400, "INVALID_PARAMETER_VALUE"),
      MISSING("run_id"),
    );
  });
});

Deno.test("run routes refuse a run whose artifact root is not proxied (501), opening nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const app = createApp({
      store: createMemoryStore({ defaultArtifactRoot: "s3://bucket/prefix" }),
      artifacts: createLocalArtifactRepository({ rootDir: dir }),
    });
    const runId = await createRun(app);
    for (
      const res of [
        app.request(`${API}/artifacts/list?run_id=${runId}`),
        app.request(`/get-artifact?run_id=${runId}&path=a.txt`),
        app.request(`/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=a.txt`, {
          method: "POST",
          body: "x",
        }),
      ]
    ) {
      const msg = await expectError(res, 501, "NOT_IMPLEMENTED");
      assert.match(msg, /s3:\/\/bucket\/prefix\/1\/[0-9a-f]+\/artifacts/);
      assert.match(msg, /only proxied roots/);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /get-artifact downloads a run's file as an attachment", async (t) => {
  await using f = await setup();
  await expectJson(put(f.app, `${f.runRoot}/dir/notes.txt`, "some notes"), 200);
  await t.step("by run_id and by run_uuid", async () => {
    for (const key of ["run_id", "run_uuid"]) {
      const res = await f.app.request(`/get-artifact?${key}=${f.runId}&path=dir/notes.txt`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/plain");
      assert.equal(res.headers.get("content-disposition"), 'attachment; filename="notes.txt"');
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(await res.text(), "some notes");
    }
  });
  await t.step("with a Range", async () => {
    const res = await f.app.request(`/get-artifact?run_id=${f.runId}&path=dir/notes.txt`, {
      headers: { Range: "bytes=5-" },
    });
    assert.equal(res.status, 206);
    assert.equal(await res.text(), "notes");
  });
  await t.step("a missing file or a directory → 404", async () => {
    const missing = f.app.request(`/get-artifact?run_id=${f.runId}&path=dir/nope.txt`);
    await expectError(missing, 404, "RESOURCE_DOES_NOT_EXIST");
    const dirRes = f.app.request(`/get-artifact?run_id=${f.runId}&path=dir`);
    await expectError(dirRes, 404, "RESOURCE_DOES_NOT_EXIST");
  });
  await t.step("unknown run → 404; missing args → 400", async () => {
    await expectError(
      f.app.request(`/get-artifact?run_id=0123456789abcdef&path=a`),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.equal(
      await expectError(
        f.app.request(`/get-artifact?run_id=${f.runId}`),
        400,
        "INVALID_PARAMETER_VALUE",
      ),
      MISSING("path"),
    );
    assert.equal(
      await expectError(f.app.request(`/get-artifact?path=a`), 400, "INVALID_PARAMETER_VALUE"),
      MISSING("run_id"),
    );
  });
});

Deno.test("POST upload-artifact stores a raw body under the run's root", async (t) => {
  await using f = await setup();
  const upload = (prefix: string, q: string, body: BodyInit | null, ct?: string) =>
    f.app.request(`${prefix}/mlflow/upload-artifact?${q}`, {
      method: "POST",
      body,
      headers: ct ? { "Content-Type": ct } : {},
    });
  await t.step("under /ajax-api with any content type", async () => {
    for (const [i, ct] of ["text/plain", "image/png", "application/json", undefined].entries()) {
      const body = `upload ${i}`;
      const res = upload("/ajax-api/2.0", `run_uuid=${f.runId}&path=ui/f${i}.txt`, body, ct);
      assert.deepEqual(await expectJson(res, 200), {});
      assert.equal(await Deno.readTextFile(`${f.root}/${f.runRoot}/ui/f${i}.txt`), body);
    }
  });
  await t.step("under /api with run_id, and an empty body", async () => {
    const res = upload("/api/2.0", `run_id=${f.runId}&path=empty.txt`, null);
    assert.deepEqual(await expectJson(res, 200), {});
    assert.equal((await Deno.stat(`${f.root}/${f.runRoot}/empty.txt`)).size, 0);
  });
  await t.step("over 10 MiB → 413, nothing written", async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    const res = upload("/ajax-api/2.0", `run_uuid=${f.runId}&path=big.bin`, big);
    await expectError(res, 413, "INVALID_PARAMETER_VALUE");
    await assert.rejects(Deno.stat(`${f.root}/${f.runRoot}/big.bin`), Deno.errors.NotFound);
  });
  await t.step("exactly 10 MiB is fine", async () => {
    const max = new Uint8Array(10 * 1024 * 1024).fill(7);
    const res = upload("/ajax-api/2.0", `run_uuid=${f.runId}&path=max.bin`, max);
    assert.deepEqual(await expectJson(res, 200), {});
    assert.equal((await Deno.stat(`${f.root}/${f.runRoot}/max.bin`)).size, max.byteLength);
  });
  await t.step("missing args → 400; unknown run → 404", async () => {
    const noPath = upload("/ajax-api/2.0", `run_uuid=${f.runId}`, "x");
    assert.equal(await expectError(noPath, 400, "INVALID_PARAMETER_VALUE"), MISSING("path"));
    const noRun = upload("/ajax-api/2.0", `path=a.txt`, "x");
    assert.equal(await expectError(noRun, 400, "INVALID_PARAMETER_VALUE"), MISSING("run_id"));
    const unknown = upload("/ajax-api/2.0", `run_uuid=0123456789abcdef&path=a.txt`, "x");
    await expectError(unknown, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

// ---------------------------------------------------------------------------------------------
// Modes

/** One request per artifact route, each of which must be answered 503 when they are off. */
function artifactRequests(runId: string): [string, RequestInit][] {
  const json = { "Content-Type": "application/json" };
  return [
    [`${PROXY}?path=x`, {}],
    [`${PROXY}/x/a.txt`, {}],
    [`${PROXY}/x/a.txt`, { method: "PUT", body: "x" }],
    [`${PROXY}/x/a.txt`, { method: "DELETE" }],
    [`/ajax-api/2.0/mlflow-artifacts/artifacts/x/a.txt`, {}],
    [`${MPU}/create/x/a.txt`, {
      method: "POST",
      headers: json,
      body: '{"path":"a","num_parts":1}',
    }],
    [`${API}/artifacts/list?run_id=${runId}`, {}],
    [`/get-artifact?run_id=${runId}&path=a.txt`, {}],
    [`/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=a.txt`, {
      method: "POST",
      body: "x",
    }],
  ];
}

async function expect503(res: Response | Promise<Response>, flag: RegExp) {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, 503, text);
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain/);
  assert.match(text, flag);
}

Deno.test("serveArtifacts: false answers 503 text on every artifact route", async () => {
  await using f = await setup({ serveArtifacts: false });
  for (const [path, init] of artifactRequests(f.runId)) {
    await expect503(f.app.request(path, init), /--no-serve-artifacts/);
  }
  await expectJson(f.app.request(`${API}/runs/get?run_id=${f.runId}`), 200);
  assert.equal((await f.app.request("/health")).status, 200);
  assert.deepEqual([...Deno.readDirSync(f.root)], []);
});

Deno.test("createApp without an artifact repository answers 503 on artifact routes", async () => {
  const app = createApp({ store: createMemoryStore() });
  const runId = await createRun(app);
  for (const [path, init] of artifactRequests(runId)) {
    await expect503(app.request(path, init), /--no-serve-artifacts/);
  }
});

Deno.test("artifactsOnly answers 503 text on tracking routes and serves artifacts", async () => {
  await using f = await setup({ artifactsOnly: true });
  for (
    const res of [
      post(f.app, "experiments/create", { name: "x" }),
      f.app.request(`${API}/runs/get?run_id=${f.runId}`),
      f.app.request(`/ajax-api/2.0/mlflow/experiments/search?max_results=1`),
      post(f.app, "runs/log-batch", { run_id: f.runId }),
    ]
  ) {
    await expect503(res, /--artifacts-only/);
  }
  await expectJson(put(f.app, `${f.runRoot}/a.txt`, "abc"), 200);
  assert.equal(await (await f.app.request(`${PROXY}/${f.runRoot}/a.txt`)).text(), "abc");
  await expectJson(f.app.request(`${API}/artifacts/list?run_id=${f.runId}`), 200);
  const dl = await f.app.request(`/get-artifact?run_id=${f.runId}&path=a.txt`);
  assert.equal(await dl.text(), "abc");
  assert.equal((await f.app.request("/version")).status, 200);
});

// ---------------------------------------------------------------------------------------------
// Attack shapes (mlflow-rest.md §9, §11), over a real socket

/** Lists every file and directory under `dir`, relative to it. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    out.push(`${prefix}${e.name}`);
    if (e.isDirectory) out.push(...await tree(`${dir}/${e.name}`, `${prefix}${e.name}/`));
  }
  return out.sort();
}

for (const shape of SHAPES) {
  Deno.test(`attack shape: ${shape.name} → 4xx everywhere, nothing outside the root touched`, async () => {
    await using f = await setup();
    // Something inside the root for listings and deletes to (not) reach.
    await expectJson(put(f.app, `${f.runRoot}/inside.txt`, "inside"), 200);
    const before = await tree(f.root);
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      f.app.fetch,
    );
    for (const [method, target, body, ct] of attacks(f, shape)) {
      const res = await rawRequest(server.addr.port, method, target, body, ct);
      const what = `${method} ${JSON.stringify(target)} → ${res.status} ${res.body}`;
      assert.ok(res.status >= 400 && res.status < 500, what);
      assert.ok(!res.body.includes(CANARY_TEXT), `leaked the canary: ${what}`);
      assert.ok(!res.body.includes('"files"'), `listed something: ${what}`);
      assert.ok(!/^location:/im.test(res.headers), `redirected: ${what}`);
    }
    await f.assertCanaryIntact();
    assert.deepEqual(await tree(f.root), before, "the root itself is unchanged");
  });
}

Deno.test("attack shapes are refused by the validator (400 INVALID_PARAMETER_VALUE)", async () => {
  // The shapes above only require 4xx (a route may not even match); these pin the reason.
  await using f = await setup();
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, f.app.fetch);
  for (
    const target of [
      `${PROXY}/%252e%252e%252fcanary.txt`,
      `${PROXY}/..%2fcanary.txt`,
      `${PROXY}/../../canary.txt`,
      `${PROXY}//etc/passwd`,
      `${PROXY}/C:/x`,
      `${PROXY}/a%5Cb`,
      `${PROXY}/a%23b`,
      `${PROXY}/a;b`,
      `${PROXY}/a%00b`,
      `${PROXY}/a%01b`,
      `/get-artifact?run_id=${f.runId}&path=../../../../canary.txt`,
      `${API}/artifacts/list?run_id=${f.runId}&path=%252e%252e`,
    ]
  ) {
    for (const method of target.includes("?") ? ["GET"] : ["GET", "PUT", "DELETE"]) {
      const res = await rawRequest(server.addr.port, method, target, method === "PUT" ? "x" : "");
      assert.equal(res.status, 400, `${method} ${target}: ${res.body}`);
      assert.equal(JSON.parse(res.body).error_code, "INVALID_PARAMETER_VALUE");
      assert.match(JSON.parse(res.body).message, /^Invalid path: /);
    }
  }
  await f.assertCanaryIntact();
});
