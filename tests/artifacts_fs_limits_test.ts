/**
 * Issue 10 #9: file-system limits and a full disk on every artifact route. A name over 255 bytes,
 * a path too long once the root is prefixed (local) or the key prefix added (S3), and a full disk
 * are each a clear 4xx / 507 in MLflow's error shape, never a 500; a failed upload leaves nothing
 * behind.
 *
 * The full-disk test mounts a 1 MiB tmpfs (we run as root in CI); where mounting is not permitted
 * it is ignored, and the injected-failure tests still cover the mapping.
 */
import assert from "node:assert/strict";
import { STORAGE_FULL_MESSAGE } from "../artifacts/_fs_errors.ts";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import {
  MAX_LOCAL_PATH_BYTES,
  MAX_PATH_SEGMENT_BYTES,
  MAX_S3_KEY_BYTES,
} from "../artifacts/path.ts";
import { createS3ArtifactRepository } from "../artifacts/s3.ts";
import type { ArtifactRepository } from "../artifacts/types.ts";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { API, expectError, expectJson, post, type TestApp } from "./api/_helpers.ts";

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const MPU = "/api/2.0/mlflow-artifacts/mpu";

interface Fixture extends AsyncDisposable {
  app: TestApp;
  /** The repository root (a real path). */
  root: string;
  runId: string;
  /** `<exp>/<run>/artifacts`, the run's root inside the repository. */
  runRoot: string;
  modelId: string;
  /** `<exp>/models/<model>/artifacts`, the model's root inside the repository. */
  modelRoot: string;
}

async function setup(
  artifacts?: (root: string) => ArtifactRepository,
  rootDir?: string,
): Promise<Fixture> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kvflow-fs-limits-" }));
  const root = rootDir ?? `${dir}/root`;
  await Deno.mkdir(root, { recursive: true });
  const store = createMemoryStore();
  const app = createApp({
    store,
    artifacts: artifacts?.(root) ?? createLocalArtifactRepository({ rootDir: root }),
  });
  const experimentId = await store.createExperiment({ name: "limits" });
  const run = await store.createRun({ experimentId });
  const model = await store.createLoggedModel({ experimentId });
  return {
    app,
    root,
    runId: run.info.run_id,
    runRoot: run.info.artifact_uri.replace(/^mlflow-artifacts:\//, ""),
    modelId: model.info.model_id,
    modelRoot: model.info.artifact_uri.replace(/^mlflow-artifacts:\//, ""),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

const enc = (rel: string) => rel.split("/").map(encodeURIComponent).join("/");

/**
 * A relative path of exactly `bytes` UTF-8 bytes: 200-byte directory names, then a file name of
 * at least 55 bytes (so the upload's temporary file is no longer than the target).
 */
function pathOfBytes(bytes: number): string {
  const parts: string[] = [];
  let left = bytes;
  while (left > MAX_PATH_SEGMENT_BYTES) {
    parts.push("d".repeat(199));
    left -= 200;
  }
  parts.push("f".repeat(left));
  return parts.join("/");
}

/** Every artifact route, addressing `rel` (relative to the run's / model's / repository's root). */
function everyRoute(
  f: Fixture,
  rel: string,
  full: string,
): [string, () => Response | Promise<Response>][] {
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const req = (url: string, init?: RequestInit) => f.app.request(url, init);
  return [
    ["PUT proxy", () => req(`${PROXY}/${enc(full)}`, { method: "PUT", body: "x" })],
    ["GET proxy", () => req(`${PROXY}/${enc(full)}`)],
    [
      "GET proxy with a range",
      () => req(`${PROXY}/${enc(full)}`, { headers: { range: "bytes=0-0" } }),
    ],
    ["DELETE proxy", () => req(`${PROXY}/${enc(full)}`, { method: "DELETE" })],
    ["GET proxy list", () => req(`${PROXY}?${q({ path: full })}`)],
    ["GET artifacts/list", () => req(`${API}/artifacts/list?${q({ run_id: f.runId, path: rel })}`)],
    ["GET /get-artifact", () => req(`/get-artifact?${q({ run_id: f.runId, path: rel })}`)],
    [
      "POST upload-artifact",
      () =>
        req(`${API}/upload-artifact?${q({ run_id: f.runId, path: rel })}`, {
          method: "POST",
          body: "x",
        }),
    ],
    [
      "GET logged-model artifacts/directories",
      () =>
        req(
          `${API}/logged-models/${f.modelId}/artifacts/directories?${
            q({ artifact_directory_path: rel })
          }`,
        ),
    ],
  ];
}

/** Everything under `dir`, recursively, as relative paths. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    out.push(`${prefix}${e.name}`);
    if (e.isDirectory) out.push(...await tree(`${dir}/${e.name}`, `${prefix}${e.name}/`));
  }
  return out.sort();
}

Deno.test("regression: an artifact name over 255 bytes is 400 on every artifact route, not 500 (issue 10 #9)", async (t) => {
  await using f = await setup();
  for (
    const name of [
      "n".repeat(MAX_PATH_SEGMENT_BYTES + 1),
      "é".repeat(128), // 128 characters, 256 bytes
      "😀".repeat(64) + "x", // 129 UTF-16 units, 257 bytes
    ]
  ) {
    for (const [route, send] of everyRoute(f, `dir/${name}`, `${f.runRoot}/dir/${name}`)) {
      await t.step(`${route}, ${[...name].length} characters`, async () => {
        const msg = await expectError(send(), 400, "INVALID_PARAMETER_VALUE");
        assert.match(
          msg,
          /^Invalid path: a path segment is \d+ bytes long in UTF-8, more than the 255/,
        );
      });
    }
  }
  for (const op of ["create", "complete", "abort"]) {
    await t.step(`POST mpu/${op}`, async () => {
      const body = { path: "x", num_parts: 1, upload_id: "u", parts: [] };
      const res = post(f.app, `${MPU}/${op}/${f.runRoot}/${"n".repeat(256)}`, body);
      await expectError(res, 400, "INVALID_PARAMETER_VALUE");
    });
  }
  assert.deepEqual(await tree(f.root), [], "nothing was created");
});

Deno.test("a name of exactly 255 bytes round-trips", async () => {
  await using f = await setup();
  const name = "€".repeat(85); // 255 bytes
  const path = `${PROXY}/${f.runRoot}/${encodeURIComponent(name)}`;
  await expectJson(f.app.request(path, { method: "PUT", body: "ok" }), 200);
  const res = await f.app.request(path);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "ok");
});

Deno.test("regression: a path longer than 4095 bytes once the root is prefixed is 400, not ENAMETOOLONG's 500 (issue 10 #9)", async (t) => {
  await using f = await setup();
  // Relative to the run's root, so that with `<root>/<runRoot>/` it is one byte too long.
  const prefix = `${f.root}/${f.runRoot}/`;
  const rel = pathOfBytes(MAX_LOCAL_PATH_BYTES + 1 - prefix.length);
  assert.ok(`${f.runRoot}/${rel}`.length < 4096, "short enough for the input check");
  for (const [route, send] of everyRoute(f, rel, `${f.runRoot}/${rel}`)) {
    if (route.includes("logged-model")) continue; // another root; checked below
    await t.step(route, async () => {
      const msg = await expectError(send(), 400, "INVALID_PARAMETER_VALUE");
      assert.match(msg, /^Invalid path: too long for the artifact store: 4096 bytes in UTF-8/);
      assert.ok(!msg.includes(f.root), "the message does not reveal the server's root");
    });
  }
  await t.step("GET logged-model artifacts/directories", async () => {
    const mrel = pathOfBytes(MAX_LOCAL_PATH_BYTES + 1 - `${f.root}/${f.modelRoot}/`.length);
    const [, send] = everyRoute(f, mrel, "").find(([r]) => r.includes("logged-model"))!;
    await expectError(send(), 400, "INVALID_PARAMETER_VALUE");
  });
  await t.step("multi-byte names count in bytes (upload-artifact, a decoded query)", async () => {
    // 2-byte characters: about 2,050 characters, 4,096 bytes with the prefix.
    const target = MAX_LOCAL_PATH_BYTES + 1 - prefix.length;
    const dirs = Math.floor((target - 60) / 249); // each "éé…é/" is 249 bytes
    const wide = "éé".repeat(62).concat("/").repeat(dirs) + "f".repeat(target - dirs * 249);
    assert.equal(new TextEncoder().encode(prefix + wide).length, MAX_LOCAL_PATH_BYTES + 1);
    const res = f.app.request(
      `${API}/upload-artifact?run_id=${f.runId}&path=${encodeURIComponent(wide)}`,
      { method: "POST", body: "x" },
    );
    await expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });
  assert.deepEqual(await tree(f.root), [], "nothing was created");
});

Deno.test("a path of exactly 4095 bytes with the root is stored, listed and read back", async () => {
  await using f = await setup();
  const prefix = `${f.root}/${f.runRoot}/`;
  const rel = pathOfBytes(MAX_LOCAL_PATH_BYTES - prefix.length);
  assert.equal((prefix + rel).length, MAX_LOCAL_PATH_BYTES);
  const url = `${API}/upload-artifact?run_id=${f.runId}&path=${rel}`;
  await expectJson(f.app.request(url, { method: "POST", body: "deep" }), 200);
  const res = await f.app.request(`/get-artifact?run_id=${f.runId}&path=${rel}`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "deep");
  const dir = rel.slice(0, rel.lastIndexOf("/"));
  const listed = await expectJson(
    f.app.request(`${API}/artifacts/list?run_id=${f.runId}&path=${dir}`),
    200,
  );
  assert.deepEqual(listed.files.map((x: { path: string }) => x.path), [rel]);
  await expectJson(f.app.request(`${PROXY}/${f.runRoot}/${rel}`, { method: "DELETE" }), 200);
});

Deno.test("an upload whose temporary file would be too long is 400 and leaves nothing", async () => {
  await using f = await setup();
  // The target fits exactly, but `.kvflow-upload-<uuid>` beside it is longer than its 1-byte name.
  const prefix = `${f.root}/${f.runRoot}/`;
  const dirs = pathOfBytes(MAX_LOCAL_PATH_BYTES - prefix.length - 2);
  const rel = `${dirs}/f`;
  assert.equal((prefix + rel).length, MAX_LOCAL_PATH_BYTES);
  const url = `${API}/upload-artifact?run_id=${f.runId}&path=${rel}`;
  await expectError(
    f.app.request(url, { method: "POST", body: "x" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  assert.deepEqual(await tree(f.root), []);
});

// ---------------------------------------------------------------------------------------------
// S3: the key limit, checked before S3 is asked

/** A stub S3 that records requests and answers 200 (or an S3 error for a `fail` key). */
function stubS3(fail?: { code: string; status: number }) {
  const requests: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    requests.push(`${req.method} ${new URL(req.url).pathname}`);
    if (fail) {
      return Promise.resolve(
        new Response(`<Error><Code>${fail.code}</Code><Message>m</Message></Error>`, {
          status: fail.status,
        }),
      );
    }
    if (req.method === "POST" && new URL(req.url).searchParams.has("uploads")) {
      return Promise.resolve(
        new Response(
          "<InitiateMultipartUploadResult><UploadId>up1</UploadId></InitiateMultipartUploadResult>",
        ),
      );
    }
    if (req.method === "GET" && new URL(req.url).searchParams.has("list-type")) {
      return Promise.resolve(new Response("<ListBucketResult></ListBucketResult>"));
    }
    return Promise.resolve(new Response(req.method === "GET" ? "x" : null, { status: 200 }));
  };
  return { fetch, requests };
}

function s3Repo(fetch: typeof globalThis.fetch, retries = 0): ArtifactRepository {
  return createS3ArtifactRepository({
    bucket: "bkt",
    prefix: "some/prefix",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    region: "us-east-1",
    endpoint: "http://s3.invalid:9000",
    retries,
    env: {},
    fetch,
  });
}

Deno.test("regression: an S3 key over 1024 bytes with the prefix is 400 before S3 is asked (issue 10 #9)", async (t) => {
  const s3 = stubS3();
  await using f = await setup(() => s3Repo(s3.fetch));
  const keyPrefix = `some/prefix/${f.runRoot}/`;
  const rel = pathOfBytes(MAX_S3_KEY_BYTES + 1 - keyPrefix.length);
  const full = `${f.runRoot}/${rel}`;
  const routes = everyRoute(f, rel, full).filter(([r]) => !r.includes("logged-model"));
  for (const op of ["create", "complete", "abort"]) {
    routes.push([`POST mpu/${op}`, () =>
      post(f.app, `${MPU}/${op}/${enc(full)}`, {
        path: "x",
        num_parts: 1,
        upload_id: "u",
        parts: [{ part_number: 1, etag: "e" }],
      })]);
  }
  for (const [route, send] of routes) {
    await t.step(route, async () => {
      const msg = await expectError(send(), 400, "INVALID_PARAMETER_VALUE");
      assert.match(msg, /too long for the artifact store: 1025 bytes/);
      assert.ok(!msg.includes("some/prefix"), "the message does not reveal the key prefix");
    });
  }
  assert.deepEqual(s3.requests, []);
  await t.step("1024 bytes is sent to S3", async () => {
    const ok = pathOfBytes(MAX_S3_KEY_BYTES - keyPrefix.length);
    await expectJson(
      f.app.request(`${PROXY}/${enc(`${f.runRoot}/${ok}`)}`, { method: "PUT", body: "x" }),
      200,
    );
    assert.equal(s3.requests.length, 1);
  });
});

Deno.test("S3's KeyTooLongError and EntityTooLarge are 400, not 500", async () => {
  for (const code of ["KeyTooLongError", "EntityTooLarge"]) {
    const s3 = stubS3({ code, status: 400 });
    await using f = await setup(() => s3Repo(s3.fetch));
    const msg = await expectError(
      f.app.request(`${PROXY}/${f.runRoot}/a.bin`, { method: "PUT", body: "x" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.ok(msg.includes(code), msg);
    assert.ok(!msg.includes("some/prefix") && !msg.includes("bkt"), msg);
  }
});

Deno.test("a full S3-compatible store (507, XMinioStorageFull) is 507 INSUFFICIENT_STORAGE, not retried", async () => {
  for (const code of ["XMinioStorageFull", "SomeOtherFull"]) {
    const s3 = stubS3({ code, status: 507 });
    await using f = await setup(() => s3Repo(s3.fetch, 3));
    const res = f.app.request(`${PROXY}/${f.runRoot}/a.bin`, { method: "PUT", body: "x" });
    assert.equal(await expectError(res, 507, "INSUFFICIENT_STORAGE"), STORAGE_FULL_MESSAGE);
    assert.equal(s3.requests.length, 1);
  }
});

// ---------------------------------------------------------------------------------------------
// A full disk

/** Replaces `obj[name]` while `fn` runs. */
async function patched<T extends object, K extends keyof T>(
  obj: T,
  name: K,
  replacement: T[K],
  fn: () => Promise<void>,
): Promise<void> {
  const original = obj[name];
  obj[name] = replacement;
  try {
    await fn();
  } finally {
    obj[name] = original;
  }
}

/** An error shaped exactly as Deno's for this errno (a plain `Error` with `code`). */
function osError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

Deno.test("regression: ENOSPC while writing an artifact is 507 INSUFFICIENT_STORAGE and leaves no temp file (issue 10 #9, injected)", async (t) => {
  await using f = await setup();
  for (const errno of ["ENOSPC", "EDQUOT"]) {
    await t.step(errno, async () => {
      const failing = () => Promise.reject(osError(errno, "No space left on device (os error 28)"));
      await patched(Deno.FsFile.prototype, "write", failing, async () => {
        for (
          const send of [
            () =>
              f.app.request(`${PROXY}/${f.runRoot}/full.bin`, {
                method: "PUT",
                body: "x".repeat(100),
              }),
            () =>
              f.app.request(`${API}/upload-artifact?run_id=${f.runId}&path=full2.bin`, {
                method: "POST",
                body: "x".repeat(100),
              }),
          ]
        ) {
          const msg = await expectError(send(), 507, "INSUFFICIENT_STORAGE");
          assert.equal(msg, STORAGE_FULL_MESSAGE);
        }
      });
      // The directories may stay; no file, whole or partial, does.
      assert.deepEqual((await tree(f.root)).filter((p) => !p.endsWith("artifacts")), [
        f.runRoot.split("/")[0],
        f.runRoot.split("/").slice(0, 2).join("/"),
      ]);
      await expectError(
        f.app.request(`${PROXY}/${f.runRoot}/full.bin`),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      );
    });
  }
});

Deno.test("regression: ENAMETOOLONG that escapes the up-front checks is 400, not 500 (issue 10 #9, injected)", async () => {
  await using f = await setup();
  // A real ENAMETOOLONG from the OS, thrown where the length checks cannot foresee it.
  const real = await Deno.lstat(`${f.root}/${"n".repeat(300)}`).then(
    () => assert.fail("expected ENAMETOOLONG"),
    (err) => err,
  );
  assert.equal(real.code, "ENAMETOOLONG");
  const failing = () => Promise.reject(real);
  await patched(Deno, "realPath", failing as typeof Deno.realPath, async () => {
    for (
      const send of [
        () => f.app.request(`${PROXY}/${f.runRoot}/a.txt`),
        () => f.app.request(`${PROXY}/${f.runRoot}/a.txt`, { method: "PUT", body: "x" }),
        () => f.app.request(`${PROXY}?path=${f.runRoot}`),
        () => f.app.request(`${PROXY}/${f.runRoot}/a.txt`, { method: "DELETE" }),
      ]
    ) {
      const msg = await expectError(send(), 400, "INVALID_PARAMETER_VALUE");
      assert.match(msg, /^Invalid path: too long for the file system of the artifact store/);
      assert.ok(!msg.includes(f.root), msg);
    }
  });
});

/** Mounts a tmpfs of `size` on `dir`; the reason it cannot, or null. */
async function mountTmpfs(dir: string, size: string): Promise<string | null> {
  try {
    const out = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success ? null : new TextDecoder().decode(out.stderr).trim() || `exit ${out.code}`;
  } catch (err) {
    return String(err);
  }
}

async function umount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN), probed once. */
const TMPFS_UNAVAILABLE = await (async () => {
  if (Deno.build.os !== "linux") return "not Linux";
  const probe = await Deno.makeTempDir({ prefix: "kvflow-tmpfs-probe-" });
  try {
    const why = await mountTmpfs(probe, "64k");
    if (why === null) await umount(probe);
    return why;
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
})();
if (TMPFS_UNAVAILABLE !== null) {
  console.warn(`tmpfs full-disk test ignored: mount is not permitted here (${TMPFS_UNAVAILABLE})`);
}

Deno.test({
  name:
    "regression: a real full disk (1 MiB tmpfs) gives 507 on upload, removes the partial file, and serves again once freed (issue 10 #9)" +
    (TMPFS_UNAVAILABLE === null ? "" : ` [ignored: cannot mount a tmpfs: ${TMPFS_UNAVAILABLE}]`),
  ignore: TMPFS_UNAVAILABLE !== null,
  async fn() {
    const mnt = await Deno.makeTempDir({ prefix: "kvflow-tmpfs-" });
    const why = await mountTmpfs(mnt, "1m");
    assert.equal(why, null, `mount failed: ${why}`);
    try {
      await using f = await setup(undefined, `${mnt}/root`);
      const big = new Uint8Array(2 * 1024 * 1024).fill(1);
      for (
        const send of [
          () => f.app.request(`${PROXY}/${f.runRoot}/big.bin`, { method: "PUT", body: big }),
          () =>
            f.app.request(`${API}/upload-artifact?run_id=${f.runId}&path=big2.bin`, {
              method: "POST",
              body: big,
            }),
        ]
      ) {
        const msg = await expectError(send(), 507, "INSUFFICIENT_STORAGE");
        assert.equal(msg, STORAGE_FULL_MESSAGE);
      }
      const files = (await tree(f.root)).filter((p) => p.includes("."));
      assert.deepEqual(files, [], "no temp or partial file is left");
      await expectError(
        f.app.request(`${PROXY}/${f.runRoot}/big.bin`),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      );
      // The space was given back: a small file fits.
      await expectJson(
        f.app.request(`${PROXY}/${f.runRoot}/small.txt`, { method: "PUT", body: "small" }),
        200,
      );
      assert.equal(await (await f.app.request(`${PROXY}/${f.runRoot}/small.txt`)).text(), "small");
    } finally {
      await umount(mnt);
      await Deno.remove(mnt, { recursive: true });
    }
  },
});
