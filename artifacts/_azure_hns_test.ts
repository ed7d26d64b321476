/**
 * The repository on an account with a hierarchical namespace (Data Lake Storage Gen2), where
 * directories are real: listed as zero-length blobs marked `hdi_isfolder`, answered by HEAD and
 * GET like empty blobs, and deletable only once empty. Azurite has no such mode, so a stub
 * answers as Azure documents it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createAzureArtifactRepository } from "./azure.ts";

const folder = (name: string) =>
  `<Blob><Name>${name}</Name><Properties><Content-Length>0</Content-Length></Properties>` +
  "<Metadata><hdi_isfolder>true</hdi_isfolder></Metadata></Blob>";
const file = (name: string, size: number) =>
  `<Blob><Name>${name}</Name><Properties><Content-Length>${size}</Content-Length></Properties>` +
  "<Metadata /></Blob>";
const prefix = (name: string) => `<BlobPrefix><Name>${name}</Name></BlobPrefix>`;
const listing = (entries: string) =>
  `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${entries}</Blobs>` +
  "<NextMarker /></EnumerationResults>";

/** A repository whose requests `respond` answers; each is logged as `METHOD /path`. */
function hnsRepo(respond: (method: string, url: URL) => Response) {
  const log: string[] = [];
  const repo = createAzureArtifactRepository({
    uri: "wasbs://ctr@acct.blob.core.windows.net/p",
    env: { AZURE_STORAGE_ACCESS_KEY: btoa("k".repeat(64)) },
    retries: 0,
    fetch: (input, init) => {
      const url = new URL(String(input));
      const method = init?.method ?? "GET";
      log.push(`${method} ${decodeURIComponent(url.pathname)}`);
      return Promise.resolve(respond(method, url));
    },
  });
  return { repo, log };
}

Deno.test("HNS: a folder lists once as a directory, even when empty", async () => {
  const { repo } = hnsRepo(() =>
    new Response(listing(
      folder("p/dir") + prefix("p/dir/") + folder("p/empty") + file("p/f.txt", 3),
    ))
  );
  assert.deepEqual(await repo.list(""), [
    { path: "dir", is_dir: true },
    { path: "empty", is_dir: true },
    { path: "f.txt", is_dir: false, file_size: 3 },
  ]);
});

Deno.test("HNS: stat and get of a folder are null, as for any directory", async () => {
  const { repo } = hnsRepo(() =>
    new Response(null, {
      headers: { "content-length": "0", "x-ms-meta-hdi_isfolder": "true" },
    })
  );
  assert.equal(await repo.stat("dir"), null);
  assert.equal(await repo.get("dir"), null);
});

Deno.test("HNS: delete removes files first, then folders deepest first, then the path", async () => {
  const { repo, log } = hnsRepo((method) =>
    method === "GET"
      ? new Response(listing(
        file("p/dir/a", 1) + folder("p/dir/sub") + folder("p/dir/sub/deeper") +
          file("p/dir/sub/deeper/b", 1),
      ))
      : new Response(null, { status: 202 })
  );
  await repo.delete("dir");
  const deletes = log.filter((l) => l.startsWith("DELETE"));
  assert.deepEqual(deletes.slice(0, 2).sort(), [
    "DELETE /ctr/p/dir/a",
    "DELETE /ctr/p/dir/sub/deeper/b",
  ]);
  assert.deepEqual(deletes.slice(2), [
    "DELETE /ctr/p/dir/sub/deeper",
    "DELETE /ctr/p/dir/sub",
    "DELETE /ctr/p/dir",
  ]);
});
