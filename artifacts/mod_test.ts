import { strict as assert } from "node:assert";
import { openArtifactRepository } from "./mod.ts";

const S3_ENV = { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" };

Deno.test("openArtifactRepository() opens local, S3, Azure and GCS repositories by scheme", () => {
  for (const dest of ["", "./mlartifacts", "/srv/artifacts", "file:///srv/artifacts", "C:\\art"]) {
    const repo = openArtifactRepository(dest, {});
    assert.equal(typeof repo.put, "function", dest);
  }
  for (const dest of ["s3://bucket", "s3://bucket/", "s3://bucket/some/prefix"]) {
    assert.equal(typeof openArtifactRepository(dest, S3_ENV).list, "function", dest);
  }
  // wasbs:// and wasb:// take Azure's credentials.
  const azure = { AZURE_STORAGE_ACCESS_KEY: btoa("key") };
  for (
    const dest of [
      "wasbs://cont@acct.blob.core.windows.net/p",
      "wasb://cont@acct.blob.core.windows.net",
    ]
  ) {
    assert.equal(typeof openArtifactRepository(dest, azure).list, "function", dest);
  }
  // gs:// takes a GCS HMAC key, or the AWS variables.
  const hmac = { GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID: "a", GOOGLE_CLOUD_STORAGE_HMAC_SECRET: "b" };
  for (const env of [hmac, S3_ENV]) {
    assert.equal(typeof openArtifactRepository("gs://bucket/prefix", env).get, "function");
  }
});

Deno.test("openArtifactRepository() refuses destinations it cannot serve", () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ["mlflow-artifacts:/", {}, /Unsupported artifact destination scheme "mlflow-artifacts:"/],
    ["http://127.0.0.1:5000/x", {}, /Unsupported/],
    ["sftp://host/x", {}, /Unsupported/],
    ["wasbs://cont@acct.blob.core.windows.net/x", {}, /AZURE_STORAGE_CONNECTION_STRING/],
    ["gs://bucket/x", {}, /GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID/],
    ["gs://bucket/x#y", S3_ENV, /Invalid GCS artifact destination/],
    ["dbfs:/x", {}, /Unsupported/],
    ["file://remote-host/x", {}, /Invalid file:/],
    ["s3://bucket/x?versionId=1", S3_ENV, /Invalid S3 artifact destination/],
    ["s3://", S3_ENV, /Invalid S3 artifact destination/],
    ["s3://bucket/a/../b", S3_ENV, /Invalid S3 key prefix/],
    ["s3://bucket/x", {}, /AWS_ACCESS_KEY_ID/],
    ["s3://bucket/x", { ...S3_ENV, MLFLOW_S3_UPLOAD_EXTRA_ARGS: "{" }, /not valid JSON/],
  ];
  for (const [dest, env, message] of bad) {
    assert.throws(() => openArtifactRepository(dest, env), message, dest);
  }
});
