import assert from "node:assert/strict";
import {
  artifactRequestUrl,
  baseName,
  guessContentType,
  listLocalFiles,
  openFileStream,
} from "./artifact_upload.ts";

Deno.test("artifactRequestUrl() maps mlflow-artifacts URIs onto the proxy, segment-encoded", () => {
  const uri = "mlflow-artifacts:/1/abc/artifacts";
  assert.equal(
    artifactRequestUrl("http://h:5000/prefix", uri, "dir/a b#?.txt"),
    "http://h:5000/prefix/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/dir/a%20b%23%3F.txt",
  );
  // A URI naming its own host is served there, over the tracking URI's scheme.
  assert.equal(
    artifactRequestUrl("https://t", "mlflow-artifacts://store:8080/1/abc/artifacts", "x"),
    "https://store:8080/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x",
  );
  assert.throws(() => artifactRequestUrl("http://h", "s3://bucket/1/abc", "x"), /only through/);
  assert.throws(() => artifactRequestUrl("http://h", uri, "../../other/run"), /'\.\.'/);
});

Deno.test("guessContentType() follows MLflow's client: text formats as text/plain", () => {
  assert.equal(guessContentType("a/config.JSON"), "text/plain");
  assert.equal(guessContentType("model/MLmodel"), "text/plain");
  assert.equal(guessContentType("plot.png"), "image/png");
  assert.equal(guessContentType("weights.bin"), "application/octet-stream");
  assert.equal(guessContentType(".hidden"), "application/octet-stream");
  assert.equal(baseName("/tmp/dir/file.txt"), "file.txt");
  assert.equal(baseName("C:\\data\\x.csv"), "x.csv");
  assert.equal(baseName("/tmp/dir/"), "dir");
});

Deno.test("listLocalFiles() walks a tree sorted; openFileStream() streams a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/b/c`, { recursive: true });
    await Deno.writeTextFile(`${dir}/b/c/z.txt`, "z");
    await Deno.writeTextFile(`${dir}/a.txt`, "hello");
    await Deno.symlink(`${dir}/b`, `${dir}/link`); // not followed
    assert.deepEqual((await listLocalFiles(dir)).map((f) => f.relPath), ["a.txt", "b/c/z.txt"]);
    const text = await new Response(await openFileStream(`${dir}/a.txt`)).text();
    assert.equal(text, "hello");
    await assert.rejects(openFileStream(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
