import { strict as assert } from "node:assert";
import { parseS3UploadExtraArgs } from "./s3_extra_args.ts";

Deno.test("parseS3UploadExtraArgs() maps boto3 ExtraArgs to S3 headers", () => {
  assert.deepEqual(
    parseS3UploadExtraArgs(JSON.stringify({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "arn:aws:kms:eu-west-1:1:key/abc",
      ACL: "bucket-owner-full-control",
      BucketKeyEnabled: true,
      StorageClass: "STANDARD_IA",
      CacheControl: "no-cache",
      ContentType: "text/plain",
      Tagging: "a=b",
      Metadata: { Team: "ml", "run-id": "1" },
    })),
    {
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:1:key/abc",
      "x-amz-acl": "bucket-owner-full-control",
      "x-amz-server-side-encryption-bucket-key-enabled": "true",
      "x-amz-storage-class": "STANDARD_IA",
      "cache-control": "no-cache",
      "content-type": "text/plain",
      "x-amz-tagging": "a=b",
      "x-amz-meta-team": "ml",
      "x-amz-meta-run-id": "1",
    },
  );
  assert.deepEqual(parseS3UploadExtraArgs("{}"), {});
});

Deno.test("parseS3UploadExtraArgs() refuses what it cannot honour", () => {
  const bad: [string, RegExp][] = [
    ["not json", /not valid JSON/],
    ["[]", /JSON object/],
    ['"AES256"', /JSON object/],
    ['{"ServerSideEncrpytion": "AES256"}', /unknown key "ServerSideEncrpytion"/],
    ['{"SSECustomerKey": "k"}', /SSE-C/],
    ['{"ChecksumAlgorithm": "SHA256"}', /checksums/],
    ['{"ACL": 1}', /ACL must be a string/],
    ['{"BucketKeyEnabled": "yes"}', /true or false/],
    ['{"Metadata": "x"}', /Metadata must be an object/],
    ['{"Metadata": {"a b": "x"}}', /header name/],
    ['{"ACL": "private\\r\\nx-evil: 1"}', /line break/],
  ];
  for (const [json, message] of bad) {
    assert.throws(() => parseS3UploadExtraArgs(json), message);
  }
});
