/**
 * The MLflow Python client's artifact traffic (mlflow-client-traffic.md), replayed over real HTTP
 * against kvflow on each artifact backend: a local directory, S3 (s3rver, which checks SigV4
 * signatures) through `openArtifactRepository("s3://…")`, and Azure Blob Storage (Azurite, which
 * checks Shared Key and SAS signatures) through `openArtifactRepository("wasbs://…")`.
 *
 * The client resolves a run's `mlflow-artifacts:/<exp>/<run>/artifacts` to
 * `/api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>`; it uploads one PUT per file
 * with its own Content-Type guess, lists with `?path=<exp>/<run>/artifacts[/sub]` (a file or a
 * missing directory lists as `{}`), walks directories itself, and GETs each file.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository, openArtifactRepository } from "../artifacts/mod.ts";
import type { ArtifactRepository } from "../artifacts/types.ts";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { clientCreateRunBody } from "./api/_helpers.ts";
import { artifactBaseUrl, jsonOf, noise, sha256 } from "./helpers/client.ts";
import { startAzurite } from "./helpers/azurite.ts";
import { startS3rver } from "./helpers/s3rver.ts";

const UA = { "User-Agent": "mlflow-python-client/2.17.0" };
const MIB = 1024 * 1024;

/** What the client uploads: run-relative path, bytes, and the Content-Type it would send. */
interface Upload {
  path: string;
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
}

const text = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

/** `log_artifact`, `log_artifacts` of a nested folder, `log_text`, `log_dict` (JSON and YAML). */
function clientUploads(): Upload[] {
  return [
    // log_artifact("hello.txt")
    { path: "hello.txt", bytes: text("hello artifact\n"), contentType: "text/plain" },
    // log_artifacts(local_dir) with nested folders: one PUT per file, directories walked
    { path: "dir/a.txt", bytes: text("A"), contentType: "text/plain" },
    { path: "nested/level1/b.csv", bytes: text("x,y\n1,2\n"), contentType: "text/csv" },
    { path: "nested/level1/level2/c.png", bytes: noise(3000, 7), contentType: "image/png" },
    { path: "nested/d.html", bytes: text("<h1>estimator</h1>"), contentType: "text/html" },
    // log_text(text, "notes/note.txt")
    { path: "notes/note.txt", bytes: text("a note ✓ with UTF-8\n"), contentType: "text/plain" },
    // log_dict(d, "config.json") / log_dict(d, "config.yaml")
    {
      path: "config.json",
      bytes: text('{"lr": 0.01, "layers": [64, 32], "name": "smoke"}'),
      contentType: "text/plain",
    },
    { path: "config.yaml", bytes: text("lr: 0.01\n"), contentType: "text/plain" },
    // A model directory as log_model writes it
    { path: "model/MLmodel", bytes: text("flavors: {}\n"), contentType: "text/plain" },
    { path: "model/model.pkl", bytes: noise(4096, 11), contentType: "application/octet-stream" },
    // Every byte value, and a ~20 MiB file (multipart on S3)
    {
      path: "bin/all_bytes.bin",
      bytes: Uint8Array.from({ length: 256 }, (_, i) => i),
      contentType: "application/octet-stream",
    },
    {
      path: "big/blob.bin",
      bytes: noise(20 * MIB + 12345, 42),
      contentType: "application/octet-stream",
    },
    // An empty file (listed without file_size)
    { path: "empty.txt", bytes: new Uint8Array(0), contentType: "text/plain" },
  ];
}

/** The whole flow against a server; `repo` is the app's repository. */
async function clientFlow(repo: ArtifactRepository): Promise<void> {
  const app = createApp({ store: createMemoryStore(), artifacts: repo });
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const tracking = `http://127.0.0.1:${server.addr.port}`;
  const api = `${tracking}/api/2.0/mlflow`;
  const postJson = (path: string, body: unknown) =>
    fetch(`${api}/${path}`, {
      method: "POST",
      headers: { ...UA, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  // mlflow.set_experiment + start_run
  const expId = (await jsonOf(await postJson("experiments/create", { name: "artifacts-flow" })))
    .experiment_id;
  const exp = await jsonOf(await fetch(`${api}/experiments/get?experiment_id=${expId}`));
  assert.equal(exp.experiment.artifact_location, `mlflow-artifacts:/${expId}`);
  const run = (await jsonOf(await postJson("runs/create", clientCreateRunBody(expId)))).run;
  const runId: string = run.info.run_id;
  const artifactUri: string = run.info.artifact_uri;
  assert.equal(artifactUri, `mlflow-artifacts:/${expId}/${runId}/artifacts`);
  const base = artifactBaseUrl(tracking, artifactUri);
  const listPath = `${expId}/${runId}/artifacts`;

  // Uploads: one PUT per file with the raw bytes and the client's own Content-Type.
  const uploads = clientUploads();
  for (const u of uploads) {
    const res = await fetch(`${base}/${u.path}`, {
      method: "PUT",
      headers: { ...UA, "Content-Type": u.contentType },
      body: u.bytes,
    });
    assert.deepEqual(await jsonOf(res), {}, u.path);
  }

  // list_artifacts on the root, exactly as recorded: base names, dirs without file_size.
  const list = async (sub = "") => {
    const path = sub === "" ? listPath : `${listPath}/${sub}`;
    const url = `${tracking}/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path })}`;
    return await jsonOf(await fetch(url, { headers: UA }));
  };
  assert.deepEqual(await list(), {
    files: [
      { path: "big", is_dir: true },
      { path: "bin", is_dir: true },
      { path: "config.json", is_dir: false, file_size: 49 },
      { path: "config.yaml", is_dir: false, file_size: 9 },
      { path: "dir", is_dir: true },
      { path: "empty.txt", is_dir: false },
      { path: "hello.txt", is_dir: false, file_size: 15 },
      { path: "model", is_dir: true },
      { path: "nested", is_dir: true },
      { path: "notes", is_dir: true },
    ],
  });
  assert.deepEqual(await list("nested"), {
    files: [
      { path: "d.html", is_dir: false, file_size: 18 },
      { path: "level1", is_dir: true },
    ],
  });
  // The client tells files from directories by listing them: a file (and a miss) is {}.
  assert.deepEqual(await list("hello.txt"), {});
  assert.deepEqual(await list("no/such/dir"), {});

  // download_artifacts: walk the tree one list per directory, then GET every file.
  const downloaded = new Map<string, Uint8Array<ArrayBuffer>>();
  const walk = async (sub: string): Promise<void> => {
    const { files = [] } = await list(sub);
    for (const f of files as { path: string; is_dir: boolean; file_size?: number }[]) {
      const rel = sub === "" ? f.path : `${sub}/${f.path}`;
      if (f.is_dir) {
        await walk(rel);
        continue;
      }
      const res = await fetch(`${base}/${rel}`, { headers: UA });
      assert.equal(res.status, 200, rel);
      assert.match(res.headers.get("content-disposition") ?? "", /^attachment; filename="/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(f.file_size ?? 0, bytes.byteLength, rel);
      downloaded.set(rel, bytes);
    }
  };
  await walk("");
  assert.deepEqual([...downloaded.keys()].sort(), uploads.map((u) => u.path).sort());
  for (const u of uploads) {
    const got = downloaded.get(u.path)!;
    assert.equal(got.byteLength, u.bytes.byteLength, u.path);
    assert.equal(await sha256(got), await sha256(u.bytes), `${u.path} round-trips byte for byte`);
  }
  assert.deepEqual(downloaded.get("bin/all_bytes.bin"), uploads[10].bytes);

  // Download content types as the recorded server answered them.
  for (
    const [path, type] of [
      ["dir/a.txt", "text/plain"],
      ["model/MLmodel", "text/plain"],
      ["bin/all_bytes.bin", "application/octet-stream"],
    ]
  ) {
    const res = await fetch(`${base}/${path}`, { method: "HEAD" });
    assert.equal(res.headers.get("content-type"), type, path);
  }

  // A ranged read of the big file, as a resuming downloader would do.
  const big = uploads[11].bytes;
  const ranged = await fetch(`${base}/big/blob.bin`, {
    headers: { Range: "bytes=10485750-10485769" },
  });
  assert.equal(ranged.status, 206);
  assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), big.slice(10485750, 10485770));

  // The web UI's view of the same run: artifacts/list and /get-artifact.
  const ui = await jsonOf(
    await fetch(`${tracking}/ajax-api/2.0/mlflow/artifacts/list?run_uuid=${runId}&path=model`),
  );
  assert.deepEqual(ui, {
    root_uri: artifactUri,
    files: [
      { path: "model/MLmodel", is_dir: false, file_size: 12 },
      { path: "model/model.pkl", is_dir: false, file_size: 4096 },
    ],
  });
  const viaUi = await fetch(`${tracking}/get-artifact?run_id=${runId}&path=bin/all_bytes.bin`);
  assert.deepEqual(new Uint8Array(await viaUi.arrayBuffer()), uploads[10].bytes);

  // A UI upload lands beside the client's files.
  const uiUpload = await fetch(
    `${tracking}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=ui/drop.txt`,
    { method: "POST", headers: { "Content-Type": "text/plain" }, body: "dropped" },
  );
  assert.deepEqual(await jsonOf(uiUpload), {});
  assert.equal(await (await fetch(`${base}/ui/drop.txt`)).text(), "dropped");

  // Deleting the run's artifacts (directory with a trailing slash) empties its listing.
  assert.deepEqual(await jsonOf(await fetch(`${base}/`, { method: "DELETE" })), {});
  assert.deepEqual(await list(), {});
}

Deno.test("MLflow client artifact flow over HTTP on a local directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-client-flow-" });
  try {
    await clientFlow(createLocalArtifactRepository({ rootDir: `${dir}/artifacts` }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MLflow client artifact flow over HTTP on S3 (s3rver), proxied multipart included", async () => {
  const s3 = await startS3rver({ buckets: ["kvflow"] });
  try {
    const repo = openArtifactRepository("s3://kvflow/mlflow/prefix", {
      MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
    });
    await clientFlow(repo);
    await multipartFlow(repo);
  } finally {
    await s3.stop();
  }
});

Deno.test("MLflow client artifact flow over HTTP on Azure Blob (Azurite), proxied multipart included", async () => {
  const azure = await startAzurite({ containers: ["kvflow"] });
  try {
    // As a server is configured: the connection string's BlobEndpoint points at the emulator.
    const repo = openArtifactRepository(
      `wasbs://kvflow@${azure.account}.blob.core.windows.net/mlflow/prefix`,
      { AZURE_STORAGE_CONNECTION_STRING: azure.connectionString },
    );
    await clientFlow(repo);
    await multipartFlow(repo);
  } finally {
    await azure.stop();
  }
});

/**
 * The client's proxied multipart upload (`MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true`): `mpu/create`
 * hands out presigned part URLs, the client PUTs each part straight to the store and reports the
 * ETags to `mpu/complete`; the file then downloads through the proxy.
 */
async function multipartFlow(repo: ArtifactRepository): Promise<void> {
  const app = createApp({ store: createMemoryStore(), artifacts: repo });
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const tracking = `http://127.0.0.1:${server.addr.port}`;
  const artifactPath = "1/0123456789abcdef/artifacts/model/weights.bin";
  const mpu = (op: string, body: unknown) =>
    fetch(`${tracking}/api/2.0/mlflow-artifacts/mpu/${op}/${artifactPath}`, {
      method: "POST",
      headers: { ...UA, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  const bytes = noise(5 * MIB + 1000, 99);
  const chunks = [bytes.slice(0, 5 * MIB), bytes.slice(5 * MIB)];
  const created = await jsonOf(await mpu("create", { path: "weights.bin", num_parts: 2 }));
  assert.equal(typeof created.upload_id, "string");
  assert.deepEqual(created.credentials.map((c: { part_number: number }) => c.part_number), [1, 2]);
  const parts = [];
  for (
    const cred of created.credentials as {
      url: string;
      part_number: number;
      headers: Record<string, string>;
    }[]
  ) {
    const res = await fetch(cred.url, {
      method: "PUT",
      headers: cred.headers,
      body: chunks[cred.part_number - 1],
    });
    await res.body?.cancel();
    // S3 answers a part with 200, Azure's Put Block with 201 Created.
    assert.ok(res.status === 200 || res.status === 201, `part ${cred.part_number}: ${res.status}`);
    // As the client does: the part's ETag header, or "" (Azure's Put Block sends none).
    parts.push({
      part_number: cred.part_number,
      etag: res.headers.get("etag") ?? "",
      url: cred.url,
    });
  }
  const completed = await mpu("complete", {
    path: "weights.bin",
    upload_id: created.upload_id,
    parts,
  });
  assert.deepEqual(await jsonOf(completed), {});

  const res = await fetch(`${tracking}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`);
  assert.equal(res.status, 200);
  assert.equal(await sha256(new Uint8Array(await res.arrayBuffer())), await sha256(bytes));
}
