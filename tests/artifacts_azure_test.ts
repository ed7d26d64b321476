import { strict as assert } from "node:assert";
import { request as httpRequest } from "node:http";
import { importAccountKey, serviceSas } from "../artifacts/_azure_auth.ts";
import { webResponse } from "../artifacts/_store_fetch.ts";
import {
  type AzureArtifactRepositoryOptions,
  createAzureArtifactRepository,
} from "../artifacts/azure.ts";
import {
  assertMlflowError,
  bytesOf,
  checkStreamingMemoryInSubprocess,
  failingStream,
  generated,
  md5,
  randomBytes,
  runArtifactRepositoryConformance,
  streamOf,
  textOf,
} from "./artifacts_conformance.ts";
import { type AzuriteHandle, startAzurite } from "./helpers/azurite.ts";

const CONTAINER = "kvflow-test";
const MIB = 1024 * 1024;
/** The production-style host of the emulator's account, as a `wasbs://` URI names it. */
const ACCOUNT_HOST = "devstoreaccount1.blob.core.windows.net";
const MPU_PREFIX = "Multipart upload is not supported for the current artifact repository";

/** Runs `fn` against a fresh Azurite, always stopped afterwards. */
async function withAzurite(fn: (azurite: AzuriteHandle) => Promise<void>): Promise<void> {
  const azurite = await startAzurite({ containers: [CONTAINER] });
  try {
    await fn(azurite);
  } finally {
    await azurite.stop();
  }
}

/**
 * A repository on the emulator through its connection string (path-style BlobEndpoint): no
 * retries, so a failure shows at once.
 */
function repoOn(
  azurite: AzuriteHandle,
  prefix: string,
  opts: Partial<AzureArtifactRepositoryOptions> = {},
) {
  return createAzureArtifactRepository({
    uri: `wasb://${CONTAINER}@${ACCOUNT_HOST}/${prefix}`,
    env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    retries: 0,
    ...opts,
  });
}

/** A fetch that records `METHOD path?query` (SAS parameters left out) before sending. */
function recordingFetch(log: string[], send: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const url = new URL(String(input));
    const query = [...url.searchParams].filter(([k]) =>
      !/^(sv|ss|srt|sp|se|st|spr|sr|sig)$/.test(k)
    )
      .map(([k, v]) => `${k}=${v}`).join("&");
    log.push(
      `${init?.method ?? "GET"} ${decodeURIComponent(url.pathname)}${query ? `?${query}` : ""}`,
    );
    return send(input, init);
  };
}

/**
 * A fetch that sends requests for `https://devstoreaccount1.blob.core.windows.net/…` (what a
 * `wasbs://` URI without a connection string names) to the emulator, keeping that host in the
 * `Host` header, from which Azurite takes the account ("production-style" URLs). Through
 * node:http, since Deno's fetch does not let a caller set `Host`.
 */
function toAzurite(azurite: AzuriteHandle): typeof fetch {
  const target = new URL(azurite.endpoint);
  return (input, init) => {
    const url = new URL(String(input));
    assert.equal(url.host, ACCOUNT_HOST);
    const headers: Record<string, string> = Object.fromEntries(new Headers(init?.headers));
    headers.host = url.host;
    const body = init?.body as Uint8Array | string | undefined;
    if (body !== undefined) {
      const length = typeof body === "string"
        ? new TextEncoder().encode(body).byteLength
        : body.byteLength;
      headers["content-length"] = String(length);
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: target.hostname,
        port: target.port,
        path: url.pathname + url.search,
        method: init?.method ?? "GET",
        headers,
      }, (res) => resolve(webResponse(res, init?.method ?? "GET")));
      req.on("error", reject);
      req.end(body);
    });
  };
}

/** A container SAS for the emulator's test container, signed with its key. */
async function containerSas(azurite: AzuriteHandle, permissions: string): Promise<string> {
  const key = await importAccountKey(
    Uint8Array.from(atob(azurite.accountKey), (c) => c.charCodeAt(0)),
  );
  return await serviceSas(key, {
    account: azurite.account,
    container: CONTAINER,
    permissions,
    expiry: new Date(Date.now() + 3600_000),
    protocol: "https,http",
  });
}

Deno.test("createAzureArtifactRepository() passes the artifact conformance suite", async (t) => {
  await withAzurite(async (azurite) => {
    let n = 0;
    await runArtifactRepositoryConformance(
      t,
      () => Promise.resolve(repoOn(azurite, `conf/${n++}`)),
    );
  });
});

Deno.test("createAzureArtifactRepository() against Azurite", async (t) => {
  await withAzurite(async (azurite) => {
    await t.step("a body of at most one block is a single Put Blob", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "single", { blockSize: MIB, fetch: recordingFetch(log) });
      const { stream, md5: sum } = generated(MIB);
      await repo.put("exact.bin", stream);
      assert.deepEqual(log, [`PUT /devstoreaccount1/${CONTAINER}/single/exact.bin`]);
      assert.equal(md5(await bytesOf((await repo.get("exact.bin"))!.body)), sum);
    });

    await t.step("20 MiB with 8 MiB blocks is 3 Put Block and a Put Block List", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "blocks", { fetch: recordingFetch(log) });
      const { stream, md5: sum } = generated(20 * MIB);
      await repo.put("model/weights.bin", stream);
      const blob = `/devstoreaccount1/${CONTAINER}/blocks/model/weights.bin`;
      assert.deepEqual(
        log.map((l) => l.replace(/blockid=[^&]+/, "blockid=…")),
        [
          `PUT ${blob}?comp=block&blockid=…`,
          `PUT ${blob}?comp=block&blockid=…`,
          `PUT ${blob}?comp=block&blockid=…`,
          `PUT ${blob}?comp=blocklist`,
        ],
      );
      const obj = await repo.get("model/weights.bin");
      assert.equal(obj!.size, 20 * MIB);
      assert.equal(md5(await bytesOf(obj!.body)), sum);
      const ranged = await repo.get("model/weights.bin", { start: 8 * MIB - 2, end: 8 * MIB + 1 });
      assert.deepEqual(ranged!.range, { start: 8 * MIB - 2, end: 8 * MIB + 1 });
      assert.equal((await bytesOf(ranged!.body)).byteLength, 4);
    });

    await t.step("an exact multiple of the block size ends without an empty block", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "exact", { blockSize: MIB, fetch: recordingFetch(log) });
      const { stream, md5: sum } = generated(2 * MIB);
      await repo.put("two-blocks.bin", stream);
      assert.equal(log.filter((l) => l.includes("comp=block&")).length, 2);
      assert.equal(log.filter((l) => l.includes("comp=blocklist")).length, 1);
      assert.equal(md5(await bytesOf((await repo.get("two-blocks.bin"))!.body)), sum);
    });

    await t.step("a body failing mid-way commits nothing and keeps the old blob", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "broken", { blockSize: MIB, fetch: recordingFetch(log) });
      const failing = () => {
        let sent = 0;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 3 * MIB) return controller.error(new Error("client went away"));
            controller.enqueue(new Uint8Array(MIB / 2));
            sent += MIB / 2;
          },
        });
      };
      await assert.rejects(repo.put("broken.bin", failing()), /client went away/);
      assert.ok(log.some((l) => l.includes("comp=block&")), log.join("\n"));
      assert.ok(!log.some((l) => l.includes("comp=blocklist")), log.join("\n"));
      assert.equal(await repo.get("broken.bin"), null);
      assert.deepEqual(await repo.list(""), []);

      await repo.put("kept.bin", streamOf("old"));
      await assert.rejects(repo.put("kept.bin", failing()), /client went away/);
      await assert.rejects(repo.put("kept.bin", failingStream("small")));
      assert.equal(await textOf((await repo.get("kept.bin"))!.body), "old");
      // The blocks left staged by the failures do not get in the way of the next upload.
      const { stream, md5: sum } = generated(3 * MIB);
      await repo.put("kept.bin", stream);
      assert.equal(md5(await bytesOf((await repo.get("kept.bin"))!.body)), sum);
    });

    await t.step("lists more than a page, following NextMarker", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "paged", { listPageSize: 4, fetch: recordingFetch(log) });
      const names = Array.from({ length: 13 }, (_, i) => `f${String(i).padStart(2, "0")}`);
      await Promise.all(names.map((name) => repo.put(`d/${name}`, streamOf(name))));
      await repo.put("d/sub/x.txt", streamOf("x"));
      await repo.put("d/zz/y.txt", streamOf("y"));
      log.length = 0;
      const listed = await repo.list("d");
      assert.equal(listed.length, 15);
      assert.deepEqual(listed.slice(0, 2), [
        { path: "d/f00", is_dir: false, file_size: 3 },
        { path: "d/f01", is_dir: false, file_size: 3 },
      ]);
      assert.deepEqual(listed.slice(-2), [
        { path: "d/sub", is_dir: true },
        { path: "d/zz", is_dir: true },
      ]);
      assert.equal(log.length, 4, log.join("\n"));
      assert.ok(log.slice(1).every((l) => l.includes("marker=")), log.join("\n"));
    });

    await t.step("deletes a tree of many blobs page by page", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "tree", { listPageSize: 7, fetch: recordingFetch(log) });
      const paths = Array.from({ length: 60 }, (_, i) => `t/${i % 3}/${i % 2}/f${i}`);
      await Promise.all(paths.map((p) => repo.put(p, streamOf(p))));
      await repo.put("t-sibling.txt", streamOf("s"));
      log.length = 0;
      await repo.delete("t");
      assert.equal(log.filter((l) => l.startsWith("DELETE")).length, 61); // 60 + `t` itself
      assert.ok(log.filter((l) => l.includes("comp=list")).length >= 9);
      assert.deepEqual(await repo.list("t"), []);
      assert.deepEqual(await repo.list(""), [
        { path: "t-sibling.txt", is_dir: false, file_size: 1 },
      ]);
    });

    await t.step("a directory marker blob is neither a file nor in the way", async () => {
      const repo = repoOn(azurite, "markers");
      // Written the way other tools mark an empty directory: a blob named `dir/`.
      const raw = createAzureArtifactRepository({
        uri: `wasb://${CONTAINER}@${ACCOUNT_HOST}`,
        env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
        retries: 0,
      });
      await raw.put("markers/dir/inner.txt", streamOf("i"));
      const url = `${azurite.endpoint}/${CONTAINER}/markers/dir/?${await containerSas(
        azurite,
        "w",
      )}`;
      const res = await fetch(url, {
        method: "PUT",
        headers: { "x-ms-blob-type": "BlockBlob" },
        body: new Uint8Array(0),
      });
      await res.body?.cancel();
      assert.equal(res.status, 201);
      assert.deepEqual(await repo.list("dir"), [
        { path: "dir/inner.txt", is_dir: false, file_size: 1 },
      ]);
      assert.deepEqual(await repo.list(""), [{ path: "dir", is_dir: true }]);
      await repo.delete("dir");
      assert.deepEqual(await raw.list("markers"), []);
    });

    await t.step("multipart upload through SAS block URLs", async () => {
      const repo = repoOn(azurite, "mpu");
      const upload = await repo.createMultipartUpload("big/file.bin", 3);
      assert.match(upload.upload_id, /^[0-9a-f]{16}$/);
      assert.deepEqual(upload.credentials.map((c) => c.part_number), [1, 2, 3]);
      const parts = [randomBytes(MIB), randomBytes(MIB), randomBytes(1234)];
      for (const cred of upload.credentials) {
        const url = new URL(cred.url);
        assert.equal(url.searchParams.get("comp"), "block");
        assert.equal(url.searchParams.get("sp"), "w");
        assert.equal(url.searchParams.get("sr"), "b");
        const expiry = Date.parse(url.searchParams.get("se")!);
        assert.ok(Math.abs(expiry - (Date.now() + 3600_000)) < 60_000);
        assert.ok(!cred.url.includes(azurite.accountKey));
        assert.deepEqual(cred.headers, {});
      }
      // A plain fetch, as the MLflow client does, parts in any order.
      await Promise.all(
        upload.credentials.reverse().map(async (cred) => {
          const res = await fetch(cred.url, { method: "PUT", body: parts[cred.part_number - 1] });
          await res.body?.cancel();
          assert.equal(res.status, 201, `part ${cred.part_number}`);
          assert.equal(res.headers.get("etag"), null); // Put Block answers without one
        }),
      );
      await repo.completeMultipartUpload(
        "big/file.bin",
        upload.upload_id,
        [3, 1, 2].map((n) => ({ part_number: n, etag: "" })),
      );
      const obj = await repo.get("big/file.bin");
      assert.equal(obj!.size, 2 * MIB + 1234);
      assert.equal(md5(await bytesOf(obj!.body)), md5(...parts));
      assert.deepEqual(await repo.list("big"), [
        { path: "big/file.bin", is_dir: false, file_size: 2 * MIB + 1234 },
      ]);
    });

    await t.step("completing with a part that was never uploaded commits nothing", async () => {
      const repo = repoOn(azurite, "mpu-missing");
      const upload = await repo.createMultipartUpload("m.bin", 2);
      const res = await fetch(upload.credentials[0].url, { method: "PUT", body: "first" });
      await res.body?.cancel();
      const parts = [{ part_number: 1, etag: "" }, { part_number: 2, etag: "" }];
      const err = await assertMlflowError(
        repo.completeMultipartUpload("m.bin", upload.upload_id, parts),
      );
      assert.match(err.message, /InvalidBlockList/);
      assert.equal(await repo.get("m.bin"), null);
      // Another upload's id names other blocks.
      await assertMlflowError(
        repo.completeMultipartUpload("m.bin", "0123456789abcdef", parts.slice(0, 1)),
      );
      await repo.abortMultipartUpload("m.bin", upload.upload_id);
      assert.equal(await repo.get("m.bin"), null);
    });

    await t.step("a SAS block URL is refused once tampered with, and cannot read", async () => {
      const repo = repoOn(azurite, "mpu-tamper");
      await repo.put("x.bin", streamOf("secret"));
      const [cred] = (await repo.createMultipartUpload("x.bin", 1)).credentials;
      const tampered: [string, string][] = [
        ["sp", "rw"],
        ["se", "2099-01-01T00:00:00Z"],
        ["sig", "A".repeat(43) + "="],
      ];
      for (const [name, value] of tampered) {
        const url = new URL(cred.url);
        url.searchParams.set(name, value);
        const res = await fetch(url, { method: "PUT", body: "x" });
        await res.body?.cancel();
        assert.equal(res.status, 403, name);
      }
      // The SAS signs the blob's name: another blob's URL with it is refused.
      const other = new URL(cred.url.replace("/x.bin?", "/y.bin?"));
      const moved = await fetch(other, { method: "PUT", body: "x" });
      await moved.body?.cancel();
      assert.equal(moved.status, 403);
      const read = await fetch(cred.url.replace(/comp=block&blockid=[^&]+&/, ""));
      await read.body?.cancel();
      assert.equal(read.status, 403);
      assert.equal(await textOf((await repo.get("x.bin"))!.body), "secret");
    });

    await t.step("multipart arguments are validated", async () => {
      const repo = repoOn(azurite, "mpu-args");
      const id = (await repo.createMultipartUpload("z.bin", 1)).upload_id;
      await assertMlflowError(repo.createMultipartUpload("z.bin", 0));
      await assertMlflowError(repo.createMultipartUpload("z.bin", 10_001));
      await assertMlflowError(repo.createMultipartUpload("../z.bin", 1));
      await assertMlflowError(repo.createMultipartUpload("", 1));
      await assertMlflowError(repo.completeMultipartUpload("z.bin", id, []));
      await assertMlflowError(
        repo.completeMultipartUpload("z.bin", id, [
          { part_number: 1, etag: "" },
          { part_number: 1, etag: "" },
        ]),
      );
      await assertMlflowError(
        repo.completeMultipartUpload("z.bin", "", [{ part_number: 1, etag: "" }]),
      );
      await assertMlflowError(repo.abortMultipartUpload("z.bin", "bad\nid"));
      await assertMlflowError(repo.abortMultipartUpload("../z.bin", id));
    });

    await t.step("names Azure cannot address are refused before any request", async () => {
      const log: string[] = [];
      const repo = repoOn(azurite, "names", { fetch: recordingFetch(log) });
      for (const bad of ["dir./x", "x.", "a/..."]) {
        await assertMlflowError(repo.put(bad, streamOf("x")));
      }
      await assertMlflowError(repo.put(`${"a/".repeat(254)}x`, streamOf("x")));
      await assertMlflowError(repo.put(`${"n".repeat(200)}/`.repeat(6) + "x", streamOf("x")));
      assert.deepEqual(log, []);
    });

    await t.step("a wrong account key is refused without leaking configuration", async () => {
      const wrongKey = btoa("not-the-key".repeat(6));
      const repo = repoOn(azurite, "secret-prefix", {
        env: {
          AZURE_STORAGE_CONNECTION_STRING:
            `AccountName=${azurite.account};AccountKey=${wrongKey};BlobEndpoint=${azurite.endpoint}`,
        },
      });
      const failures = [
        await assertMlflowError(repo.put("a.txt", streamOf("x")), "PERMISSION_DENIED"),
        await assertMlflowError(repo.list(""), "PERMISSION_DENIED"),
        await assertMlflowError(repo.get("a.txt"), "PERMISSION_DENIED"),
        await assertMlflowError(repo.stat("a.txt"), "PERMISSION_DENIED"),
        await assertMlflowError(repo.delete("a.txt"), "PERMISSION_DENIED"),
      ];
      for (const err of failures) {
        assert.match(err.message, /AZURE_STORAGE_CONNECTION_STRING/);
        const secrets = [wrongKey, azurite.accountKey, azurite.account, "127.0.0.1", CONTAINER];
        for (const secret of [...secrets, "secret-prefix"]) {
          assert.ok(!err.message.includes(secret), err.message);
        }
      }
      assert.deepEqual(await repoOn(azurite, "secret-prefix").list(""), []);
    });

    await t.step("a SAS token alone works, and multipart is NOT_IMPLEMENTED with it", async () => {
      const sas = await containerSas(azurite, "racwdl");
      const repo = repoOn(azurite, "sas", {
        env: {
          AZURE_STORAGE_CONNECTION_STRING:
            `BlobEndpoint=${azurite.endpoint};SharedAccessSignature=${sas}`,
        },
      });
      await repo.put("a/b.txt", streamOf("via sas"));
      const { stream, md5: sum } = generated(3 * MIB);
      await repo.put("a/big.bin", stream);
      assert.equal(md5(await bytesOf((await repo.get("a/big.bin"))!.body)), sum);
      assert.equal(await textOf((await repo.get("a/b.txt", { start: 4 }))!.body), "sas");
      assert.deepEqual(await repo.stat("a/b.txt"), { size: 7 });
      assert.deepEqual((await repo.list("a")).map((f) => f.path), ["a/b.txt", "a/big.bin"]);
      const multipartCalls = [
        () => repo.createMultipartUpload("m.bin", 2),
        () =>
          repo.completeMultipartUpload("m.bin", "0123456789abcdef", [{ part_number: 1, etag: "" }]),
        () => repo.abortMultipartUpload("m.bin", "0123456789abcdef"),
      ];
      for (const call of multipartCalls) {
        const err = await assertMlflowError(call(), "NOT_IMPLEMENTED");
        assert.ok(err.message.startsWith(MPU_PREFIX), err.message);
      }
      await repo.delete("a");
      assert.deepEqual(await repo.list(""), []);

      // Through AZURE_STORAGE_SAS_TOKEN, on the URI's account; a read-only SAS cannot write.
      const readOnly = createAzureArtifactRepository({
        uri: `wasb://${CONTAINER}@${ACCOUNT_HOST}/sas`,
        env: { AZURE_STORAGE_SAS_TOKEN: `?${await containerSas(azurite, "rl")}` },
        retries: 0,
        fetch: toAzurite(azurite),
      });
      assert.deepEqual(await readOnly.list(""), []);
      const err = await assertMlflowError(readOnly.put("x", streamOf("x")), "PERMISSION_DENIED");
      assert.match(err.message, /AuthorizationPermissionMismatch/);
      assert.ok(!err.message.includes("sig="), err.message);
    });

    await t.step(
      "AZURE_STORAGE_ACCESS_KEY signs for the URI's account at its default endpoint",
      async () => {
        const log: string[] = [];
        const repo = createAzureArtifactRepository({
          uri: `wasb://${CONTAINER}@${ACCOUNT_HOST}/by-key`,
          env: { AZURE_STORAGE_ACCESS_KEY: azurite.accountKey },
          retries: 0,
          fetch: recordingFetch(log, toAzurite(azurite)),
        });
        await repo.put("k.txt", streamOf("key"));
        assert.deepEqual(log, [`PUT /${CONTAINER}/by-key/k.txt`]); // host-style: no account in the path
        assert.equal(await textOf((await repo.get("k.txt"))!.body), "key");
        const upload = await repo.createMultipartUpload("m.bin", 1);
        assert.ok(
          upload.credentials[0].url.startsWith(`http://${ACCOUNT_HOST}/${CONTAINER}/by-key/m.bin?`),
        );
        assert.equal(new URL(upload.credentials[0].url).searchParams.get("spr"), "https,http");

        // A connection string without BlobEndpoint builds the same endpoint.
        const viaString = createAzureArtifactRepository({
          uri: `wasb://${CONTAINER}@${ACCOUNT_HOST}/by-key`,
          env: {
            AZURE_STORAGE_CONNECTION_STRING:
              `DefaultEndpointsProtocol=http;AccountName=${azurite.account};` +
              `AccountKey=${azurite.accountKey};EndpointSuffix=core.windows.net`,
          },
          retries: 0,
          fetch: toAzurite(azurite),
        });
        assert.deepEqual(await viaString.list(""), [{
          path: "k.txt",
          is_dir: false,
          file_size: 3,
        }]);
      },
    );

    await t.step("a missing container is an INTERNAL_ERROR naming nothing", async () => {
      const repo = createAzureArtifactRepository({
        uri: `wasb://no-such-container@${ACCOUNT_HOST}/p`,
        env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
        retries: 0,
      });
      const calls = [
        () => repo.get("a"),
        () => repo.stat("a"),
        () => repo.list(""),
        () => repo.put("a", streamOf("x")),
      ];
      for (const call of calls) {
        const err = await assertMlflowError(call(), "INTERNAL_ERROR");
        assert.match(err.message, /container does not exist/);
        assert.ok(!err.message.includes("no-such-container"), err.message);
      }
    });

    await t.step(
      "an unreachable endpoint is TEMPORARILY_UNAVAILABLE after the retries",
      async () => {
        const closed = await Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = closed.addr.port;
        closed.close();
        const repo = repoOn(azurite, "down", {
          retries: 1,
          env: {
            AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString
              .replace(
                /BlobEndpoint=[^;]+/,
                `BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1`,
              ),
          },
        });
        const err = await assertMlflowError(repo.get("a"), "TEMPORARILY_UNAVAILABLE");
        assert.ok(!err.message.includes(String(port)), err.message);
      },
    );

    await t.step("construction refuses a malformed URI or missing credentials", () => {
      const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
      for (
        const uri of [
          `wasbs://${CONTAINER}@${ACCOUNT_HOST}/p?sv=1&sig=abc`,
          `wasbs://${CONTAINER}@127.0.0.1/p`,
          `wasbs://UPPER@${ACCOUNT_HOST}/p`,
          `https://${ACCOUNT_HOST}/${CONTAINER}`,
        ]
      ) {
        assert.throws(() => createAzureArtifactRepository({ uri, env }), /Azure/, uri);
      }
      assert.throws(
        () =>
          createAzureArtifactRepository({ uri: `wasbs://${CONTAINER}@${ACCOUNT_HOST}`, env: {} }),
        (err: Error) =>
          /AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCESS_KEY or AZURE_STORAGE_SAS_TOKEN/
            .test(err.message),
      );
    });
  });
});

Deno.test("createAzureArtifactRepository() streams 512 MiB without buffering it", async () => {
  await withAzurite(async (azurite) => {
    // Opened from env in the child, as main.ts does: default blocks, retries and transport.
    const report = await checkStreamingMemoryInSubprocess(
      `wasb://${CONTAINER}@${ACCOUNT_HOST}/big`,
      { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      "blob.bin",
      512 * MIB,
    );
    console.log(`azure streaming: ${JSON.stringify(report)}`);
    assert.ok(report.peakGrowthMiB < 150, `RSS grew by ${report.peakGrowthMiB.toFixed(1)} MiB`);
  });
});
