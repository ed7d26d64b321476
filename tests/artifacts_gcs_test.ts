/**
 * `gs://` destinations: the S3 repository configured for Google Cloud Storage's XML API
 * (artifacts/gcs.ts), run against s3rver standing in for `storage.googleapis.com` (no GCS
 * emulator checks SigV4 here). What the GCS path changes is checked on the wire: path-style URLs
 * on the GCS endpoint, region `auto` in the signature, an HMAC key from the GCS variables, and no
 * S3-only upload headers.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { openArtifactRepository } from "../artifacts/mod.ts";
import { createGcsArtifactRepository, GCS_ENDPOINT, gcsS3Options } from "../artifacts/gcs.ts";
import {
  assertMlflowError,
  randomBytes,
  runArtifactRepositoryConformance,
  streamOf,
  textOf,
} from "./artifacts_conformance.ts";
import { type S3rverHandle, startS3rver } from "./helpers/s3rver.ts";

const BUCKET = "kvflow-gcs";

/** The variables a `gs://` server would run with, pointed at `s3`. */
function gcsEnv(s3: S3rverHandle, extra: Record<string, string> = {}) {
  return {
    MLFLOW_GCS_ENDPOINT_URL: s3.endpoint,
    GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID: s3.accessKeyId,
    GOOGLE_CLOUD_STORAGE_HMAC_SECRET: s3.secretAccessKey,
    ...extra,
  };
}

Deno.test("gs:// destinations pass the artifact conformance suite through the GCS path", async (t) => {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  try {
    let n = 0;
    await runArtifactRepositoryConformance(
      t,
      () => Promise.resolve(openArtifactRepository(`gs://${BUCKET}/conf/${n++}`, gcsEnv(s3))),
    );

    await t.step(
      "requests are path-style, signed for region auto, without S3's headers",
      async () => {
        const seen: { url: string; auth: string; headers: string[] }[] = [];
        const recording: typeof fetch = (input, init) => {
          const req = new Request(input, init);
          seen.push({
            url: req.url,
            auth: req.headers.get("authorization") ?? "",
            headers: [...req.headers.keys()],
          });
          return fetch(req);
        };
        const repo = createGcsArtifactRepository({
          bucket: BUCKET,
          prefix: "wire",
          retries: 0,
          fetch: recording,
          // An S3 server-side-encryption setting must not reach GCS.
          env: gcsEnv(s3, { MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "AES256"}' }),
        });
        await repo.put("a.txt", streamOf("hello"));
        assert.equal(await textOf((await repo.get("a.txt"))!.body), "hello");
        assert.ok(seen.length >= 2);
        for (const r of seen) {
          assert.ok(r.url.startsWith(`${s3.endpoint}/${BUCKET}/wire/`), r.url);
          assert.match(r.auth, /Credential=S3RVER\/\d{8}\/auto\/s3\/aws4_request/);
          assert.ok(!r.headers.includes("x-amz-server-side-encryption"), r.headers.join(","));
        }
      },
    );

    await t.step("multipart upload through presigned part URLs", async () => {
      const repo = openArtifactRepository(`gs://${BUCKET}/mpu`, gcsEnv(s3));
      const upload = await repo.createMultipartUpload("big.bin", 2);
      const parts = [randomBytes(5 * 1024 * 1024), randomBytes(10)];
      const done = [];
      for (const cred of upload.credentials) {
        assert.ok(cred.url.startsWith(`${s3.endpoint}/${BUCKET}/mpu/big.bin?`), cred.url);
        const res = await fetch(cred.url, { method: "PUT", body: parts[cred.part_number - 1] });
        await res.body?.cancel();
        assert.equal(res.status, 200);
        done.push({ part_number: cred.part_number, etag: res.headers.get("etag")! });
      }
      await repo.completeMultipartUpload("big.bin", upload.upload_id, done);
      assert.equal((await repo.stat("big.bin"))?.size, 5 * 1024 * 1024 + 10);
    });

    await t.step(
      "a wrong HMAC secret is refused, and the message names the GCS variables",
      async () => {
        const repo = openArtifactRepository(
          `gs://${BUCKET}/denied`,
          gcsEnv(s3, { GOOGLE_CLOUD_STORAGE_HMAC_SECRET: "not-the-secret" }),
        );
        const err = await assertMlflowError(repo.list(""), "PERMISSION_DENIED");
        assert.match(err.message, /GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID/);
        for (const secret of ["not-the-secret", "127.0.0.1", BUCKET]) {
          assert.ok(!err.message.includes(secret), err.message);
        }
      },
    );
  } finally {
    await s3.stop();
  }
});

Deno.test("gcsS3Options(): GCS's endpoint by default, GCS variables before AWS ones", () => {
  const both = {
    GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID: "gcs-id",
    GOOGLE_CLOUD_STORAGE_HMAC_SECRET: "gcs-secret",
    AWS_ACCESS_KEY_ID: "aws-id",
    AWS_SECRET_ACCESS_KEY: "aws-secret",
    MLFLOW_S3_ENDPOINT_URL: "http://127.0.0.1:1",
  };
  const opts = gcsS3Options({ bucket: "b", env: both });
  // MLFLOW_S3_ENDPOINT_URL is S3's: a gs:// destination still goes to GCS.
  assert.equal(opts.endpoint, GCS_ENDPOINT);
  assert.equal(opts.region, "auto");
  assert.equal(opts.pathStyle, true);
  assert.deepEqual(opts.credentials, { accessKeyId: "gcs-id", secretAccessKey: "gcs-secret" });
  const aws = gcsS3Options({
    bucket: "b",
    env: { AWS_ACCESS_KEY_ID: "i", AWS_SECRET_ACCESS_KEY: "s" },
  });
  assert.deepEqual(aws.credentials, { accessKeyId: "i", secretAccessKey: "s" });
  assert.throws(
    () => gcsS3Options({ bucket: "b", env: { GOOGLE_APPLICATION_CREDENTIALS: "/key.json" } }),
    /HMAC key.*gcloud storage hmac create/,
  );
});
