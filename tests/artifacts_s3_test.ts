import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { openArtifactRepository } from "../artifacts/mod.ts";
import { createS3ArtifactRepository, type S3ArtifactRepositoryOptions } from "../artifacts/s3.ts";
import { parseS3UploadExtraArgs } from "../artifacts/s3_extra_args.ts";
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
import { type S3rverHandle, startS3rver } from "./helpers/s3rver.ts";

const BUCKET = "kvflow-test";
const MIB = 1024 * 1024;

/** Runs `fn` against a fresh s3rver, always stopped afterwards. */
async function withS3rver(fn: (s3: S3rverHandle) => Promise<void>): Promise<void> {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  try {
    await fn(s3);
  } finally {
    await s3.stop();
  }
}

/** A repository on the test server: no env, no retries (a failure must show at once). */
function repoOn(s3: S3rverHandle, opts: Partial<S3ArtifactRepositoryOptions> = {}) {
  return createS3ArtifactRepository({
    bucket: BUCKET,
    prefix: "mlartifacts",
    endpoint: s3.endpoint,
    credentials: s3,
    retries: 0,
    env: {},
    ...opts,
  });
}

/** A fetch that records `METHOD path?query` of every request before sending it. */
function recordingFetch(log: string[]): typeof fetch {
  return (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    log.push(`${req.method} ${decodeURIComponent(url.pathname)}${url.search}`);
    return fetch(req);
  };
}

Deno.test("createS3ArtifactRepository() passes the artifact conformance suite", async (t) => {
  await withS3rver(async (s3) => {
    let n = 0;
    await runArtifactRepositoryConformance(
      t,
      () => Promise.resolve(repoOn(s3, { prefix: `conf/${n++}` })),
    );
  });
});

Deno.test("createS3ArtifactRepository() against s3rver", async (t) => {
  await withS3rver(async (s3) => {
    await t.step("lists and deletes more than 1000 keys (pagination)", async () => {
      const log: string[] = [];
      const repo = repoOn(s3, { prefix: "many", fetch: recordingFetch(log) });
      const names = Array.from({ length: 1003 }, (_, i) => `f${String(i).padStart(4, "0")}`);
      for (let i = 0; i < names.length; i += 32) {
        await Promise.all(
          names.slice(i, i + 32).map((name) => repo.put(`d/${name}`, streamOf(name))),
        );
      }
      await repo.put("d/sub/x.txt", streamOf("x"));
      log.length = 0;
      const listed = await repo.list("d");
      assert.equal(listed.length, 1004);
      assert.deepEqual(listed.slice(0, 2), [
        { path: "d/f0000", is_dir: false, file_size: 5 },
        { path: "d/f0001", is_dir: false, file_size: 5 },
      ]);
      assert.deepEqual(listed.at(-1), { path: "d/sub", is_dir: true });
      assert.ok(log.filter((l) => l.includes("list-type=2")).length >= 2, log.join("\n"));

      log.length = 0;
      await repo.delete("d");
      assert.ok(log.filter((l) => l.startsWith("POST") && l.includes("?delete")).length >= 2);
      assert.deepEqual(await repo.list("d"), []);
      assert.deepEqual(await repo.list(""), []);
    });

    await t.step("a body of at most one part is a single PUT", async () => {
      const log: string[] = [];
      const repo = repoOn(s3, { prefix: "single", partSize: 5 * MIB, fetch: recordingFetch(log) });
      const { stream, md5: sum } = generated(5 * MIB);
      await repo.put("exact.bin", stream);
      assert.deepEqual(log, ["PUT /kvflow-test/single/exact.bin"]);
      assert.equal(md5(await bytesOf((await repo.get("exact.bin"))!.body)), sum);
    });

    await t.step("a 20 MiB stream with 8 MiB parts goes as a 3-part upload", async () => {
      const log: string[] = [];
      const repo = repoOn(s3, { prefix: "multi", fetch: recordingFetch(log) });
      const { stream, md5: sum } = generated(20 * MIB);
      await repo.put("model/weights.bin", stream);
      const key = "/kvflow-test/multi/model/weights.bin";
      assert.equal(log[0], `POST ${key}?uploads`);
      assert.deepEqual(
        log.slice(1, 4).map((l) => l.replace(/uploadId=[^&]+/, "uploadId=…")),
        [1, 2, 3].map((n) => `PUT ${key}?partNumber=${n}&uploadId=…`),
      );
      assert.match(log[4], /^POST .*\?uploadId=/);
      assert.equal(log.length, 5);
      const obj = await repo.get("model/weights.bin");
      assert.equal(obj!.size, 20 * MIB);
      assert.equal(md5(await bytesOf(obj!.body)), sum);
      const ranged = await repo.get("model/weights.bin", { start: 8 * MIB - 2, end: 8 * MIB + 1 });
      assert.deepEqual(ranged!.range, { start: 8 * MIB - 2, end: 8 * MIB + 1 });
      assert.equal((await bytesOf(ranged!.body)).byteLength, 4);
    });

    await t.step("an exact multiple of the part size ends without an empty part", async () => {
      const log: string[] = [];
      const repo = repoOn(s3, { prefix: "exact", partSize: 5 * MIB, fetch: recordingFetch(log) });
      const { stream, md5: sum } = generated(10 * MIB);
      await repo.put("two-parts.bin", stream);
      assert.equal(log.filter((l) => l.includes("partNumber=")).length, 2);
      assert.equal(md5(await bytesOf((await repo.get("two-parts.bin"))!.body)), sum);
    });

    await t.step("a body failing after the first part aborts the multipart upload", async () => {
      const log: string[] = [];
      const repo = repoOn(s3, { prefix: "abort", partSize: 5 * MIB, fetch: recordingFetch(log) });
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 12 * MIB) return controller.error(new Error("client went away"));
          controller.enqueue(new Uint8Array(MIB));
          sent += MIB;
        },
      });
      await assert.rejects(repo.put("broken.bin", failing), /client went away/);
      assert.match(log.at(-1)!, /^DELETE .*broken\.bin\?uploadId=/);
      assert.equal(await repo.get("broken.bin"), null);
      assert.deepEqual(await repo.list(""), []);
      await assert.rejects(repo.put("broken2.bin", failingStream("small")));
      assert.equal(await repo.get("broken2.bin"), null);
    });

    await t.step("multipart upload through presigned part URLs", async () => {
      const repo = repoOn(s3, { prefix: "mpu" });
      const upload = await repo.createMultipartUpload("big/file.bin", 2);
      assert.equal(upload.credentials.length, 2);
      const parts = [randomBytes(5 * MIB), randomBytes(1234)];
      const completed = [];
      for (const cred of upload.credentials) {
        const url = new URL(cred.url);
        assert.equal(url.searchParams.get("X-Amz-Expires"), "3600");
        assert.equal(url.searchParams.get("partNumber"), String(cred.part_number));
        assert.ok(!cred.url.includes(s3.secretAccessKey.toLowerCase()));
        // A plain fetch, as the MLflow client does: the signature is in the URL.
        const res = await fetch(cred.url, {
          method: "PUT",
          headers: cred.headers,
          body: parts[cred.part_number - 1],
        });
        await res.body?.cancel();
        assert.equal(res.status, 200);
        completed.push({ part_number: cred.part_number, etag: res.headers.get("etag")! });
      }
      await repo.completeMultipartUpload("big/file.bin", upload.upload_id, completed.reverse());
      const obj = await repo.get("big/file.bin");
      assert.equal(obj!.size, 5 * MIB + 1234);
      assert.equal(
        md5(await bytesOf(obj!.body)),
        createHash("md5").update(parts[0]).update(parts[1]).digest("hex"),
      );
      assert.deepEqual(await repo.list("big"), [
        { path: "big/file.bin", is_dir: false, file_size: 5 * MIB + 1234 },
      ]);
    });

    await t.step("a presigned part URL is refused once tampered with", async () => {
      const repo = repoOn(s3, { prefix: "mpu-tamper" });
      const upload = await repo.createMultipartUpload("x.bin", 1);
      const url = new URL(upload.credentials[0].url);
      url.searchParams.set("partNumber", "2");
      const res = await fetch(url, { method: "PUT", body: "x" });
      await res.body?.cancel();
      assert.equal(res.status, 403);
    });

    await t.step("multipart arguments are validated", async () => {
      const repo = repoOn(s3, { prefix: "mpu-args" });
      await assertMlflowError(repo.createMultipartUpload("z.bin", 0));
      await assertMlflowError(repo.createMultipartUpload("z.bin", 10_001));
      await assertMlflowError(repo.createMultipartUpload("../z.bin", 1));
      await assertMlflowError(repo.createMultipartUpload("", 1));
      await assertMlflowError(repo.completeMultipartUpload("z.bin", "id", []));
      await assertMlflowError(
        repo.completeMultipartUpload("z.bin", "id", [
          { part_number: 1, etag: "a" },
          { part_number: 1, etag: "b" },
        ]),
      );
      await assertMlflowError(repo.abortMultipartUpload("z.bin", "bad\nid"));
    });

    await t.step("a wrong secret key is rejected without leaking configuration", async () => {
      const repo = repoOn(s3, {
        prefix: "secret-prefix",
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "not-the-secret" },
      });
      const failures = [
        await assertMlflowError(repo.put("a.txt", streamOf("x")), "PERMISSION_DENIED"),
        await assertMlflowError(repo.list(""), "PERMISSION_DENIED"),
        await assertMlflowError(repo.get("a.txt"), "PERMISSION_DENIED"),
        await assertMlflowError(repo.delete("a.txt"), "PERMISSION_DENIED"),
      ];
      for (const err of failures) {
        assert.match(err.message, /SignatureDoesNotMatch/);
        for (const secret of ["not-the-secret", "127.0.0.1", BUCKET, "secret-prefix"]) {
          assert.ok(!err.message.includes(secret), err.message);
        }
      }
      assert.deepEqual(await repoOn(s3, { prefix: "secret-prefix" }).list(""), []);
    });

    await t.step("an unknown access key is rejected", async () => {
      const repo = repoOn(s3, { credentials: { accessKeyId: "NOPE", secretAccessKey: "S3RVER" } });
      const err = await assertMlflowError(repo.list(""), "PERMISSION_DENIED");
      assert.match(err.message, /InvalidAccessKeyId/);
    });

    await t.step("extra upload headers are signed, accepted and stored", async () => {
      const headers = parseS3UploadExtraArgs(JSON.stringify({
        ACL: "bucket-owner-full-control",
        ServerSideEncryption: "AES256",
        StorageClass: "STANDARD_IA",
        ContentType: "text/csv",
        Metadata: { Team: "ml" },
      }));
      const repo = repoOn(s3, { prefix: "extra", extraUploadHeaders: headers, partSize: 5 * MIB });
      await repo.put("small.csv", streamOf("a,b\n1,2\n"));
      await repo.put("large.bin", generated(6 * MIB).stream);
      const aws = new AwsClient({ ...s3, service: "s3", region: "us-east-1", retries: 0 });
      for (const key of ["small.csv", "large.bin"]) {
        const res = await aws.fetch(`${s3.endpoint}/${BUCKET}/extra/${key}`, { method: "HEAD" });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-amz-meta-team"), "ml");
        assert.equal(res.headers.get("x-amz-storage-class"), "STANDARD_IA");
        assert.equal(res.headers.get("content-type"), "text/csv");
      }
    });

    await t.step("a repository at the bucket root keys artifacts without a prefix", async () => {
      const repo = repoOn(s3, { prefix: "" });
      await repo.put("rootfile.txt", streamOf("r"));
      const aws = new AwsClient({ ...s3, service: "s3", region: "us-east-1", retries: 0 });
      const res = await aws.fetch(`${s3.endpoint}/${BUCKET}/rootfile.txt`);
      assert.equal(await res.text(), "r");
      assert.ok((await repo.list("")).some((f) => f.path === "rootfile.txt"));
      await repo.delete("rootfile.txt");
    });

    await t.step(
      "openArtifactRepository() builds an S3 repository from the environment",
      async () => {
        const repo = openArtifactRepository(`s3://${BUCKET}/from-env/`, {
          MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          AWS_DEFAULT_REGION: "eu-west-1",
          MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"Metadata": {"via": "env"}}',
        });
        await repo.put("e.txt", streamOf("env"));
        assert.equal(await textOf((await repo.get("e.txt"))!.body), "env");
        assert.deepEqual(await repo.list(""), [{ path: "e.txt", is_dir: false, file_size: 3 }]);
      },
    );
  });
});

Deno.test("createS3ArtifactRepository() streams 512 MiB without buffering it", async () => {
  await withS3rver(async (s3) => {
    // Opened from env in the child, as main.ts does: default 8 MiB parts, default retries.
    const report = await checkStreamingMemoryInSubprocess(
      `s3://${BUCKET}/big`,
      {
        MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      "blob.bin",
      512 * MIB,
    );
    console.log(`s3 streaming: ${JSON.stringify(report)}`);
    assert.ok(report.peakGrowthMiB < 150, `RSS grew by ${report.peakGrowthMiB.toFixed(1)} MiB`);
  });
});
