import { strict as assert } from "node:assert";
import { MlflowError } from "../store/errors.ts";
import { createS3ArtifactRepository, type S3ArtifactRepositoryOptions } from "./s3.ts";

/** A fetch answering from `respond`, recording each request. */
function stubFetch(respond: (req: Request, n: number) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    requests.push(req);
    return await respond(req, requests.length);
  };
  return { fetch, requests };
}

const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" };

function repoWith(fetch: typeof globalThis.fetch, opts: Partial<S3ArtifactRepositoryOptions> = {}) {
  return createS3ArtifactRepository({
    bucket: "bkt",
    prefix: "pre",
    credentials: CREDS,
    region: "eu-west-1",
    retries: 0,
    env: {},
    fetch,
    ...opts,
  });
}

const ok = () => new Response(null, { status: 200 });
const s3Error = (status: number, code: string) =>
  new Response(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>`, {
    status,
  });

Deno.test("createS3ArtifactRepository() uses virtual-host URLs on AWS, path style elsewhere", async () => {
  const cases: [Partial<S3ArtifactRepositoryOptions>, string][] = [
    [{}, "https://bkt.s3.eu-west-1.amazonaws.com/pre/a%20b/c.txt"],
    [{ pathStyle: true }, "https://s3.eu-west-1.amazonaws.com/bkt/pre/a%20b/c.txt"],
    [{ endpoint: "http://127.0.0.1:9000" }, "http://127.0.0.1:9000/bkt/pre/a%20b/c.txt"],
    [{ endpoint: "http://minio:9000/base/" }, "http://minio:9000/base/bkt/pre/a%20b/c.txt"],
    [
      { endpoint: "http://localhost:9000", pathStyle: false },
      "http://bkt.localhost:9000/pre/a%20b/c.txt",
    ],
    [{ bucket: "my.dotted" }, "https://s3.eu-west-1.amazonaws.com/my.dotted/pre/a%20b/c.txt"],
  ];
  for (const [opts, expected] of cases) {
    const { fetch, requests } = stubFetch(ok);
    await repoWith(fetch, opts).put("a b/c.txt", new Blob(["x"]).stream());
    assert.equal(requests[0].url, expected);
    assert.equal(requests[0].method, "PUT");
    assert.match(requests[0].headers.get("authorization")!, /\/eu-west-1\/s3\/aws4_request/);
  }
});

Deno.test("createS3ArtifactRepository() encodes every key segment and the list query", async () => {
  const { fetch, requests } = stubFetch((req) =>
    req.method === "GET"
      ? new Response("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
      : ok()
  );
  const repo = repoWith(fetch, { endpoint: "http://s3.test" });
  await repo.put("x/!'()*+ é", new Blob(["x"]).stream());
  assert.equal(requests[0].url, "http://s3.test/bkt/pre/x/%21%27%28%29%2A%2B%20%C3%A9");
  await repo.list("a b");
  assert.equal(
    requests[1].url,
    "http://s3.test/bkt?list-type=2&prefix=pre%2Fa%20b%2F&delimiter=%2F",
  );
});

Deno.test("createS3ArtifactRepository() retries 5xx a bounded number of times", async () => {
  const flaky = stubFetch((_req, n) => n <= 2 ? s3Error(503, "SlowDown") : ok());
  await repoWith(flaky.fetch, { retries: 3 }).put("a", new Blob(["x"]).stream());
  assert.equal(flaky.requests.length, 3);

  const down = stubFetch(() => s3Error(500, "InternalError"));
  const err = await repoWith(down.fetch, { retries: 2 }).get("a").catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "TEMPORARILY_UNAVAILABLE");
  assert.equal(down.requests.length, 3);

  const once = stubFetch(() => s3Error(503, "SlowDown"));
  await assert.rejects(repoWith(once.fetch).get("a"));
  assert.equal(once.requests.length, 1);
});

Deno.test("createS3ArtifactRepository() does not retry client errors", async () => {
  const { fetch, requests } = stubFetch(() => s3Error(403, "AccessDenied"));
  const err = await repoWith(fetch, { retries: 3 }).list("").catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "PERMISSION_DENIED");
  assert.match(err.message, /AccessDenied/);
  assert.equal(requests.length, 1);
});

Deno.test("createS3ArtifactRepository() reports network failures without the endpoint", async () => {
  const { fetch, requests } = stubFetch(() => {
    throw new TypeError("error sending request for url (https://secret-host.internal/bkt/pre/a)");
  });
  const err = await repoWith(fetch, { retries: 1 }).get("a").catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "TEMPORARILY_UNAVAILABLE");
  assert.ok(!err.message.includes("secret-host"), err.message);
  assert.ok(err.cause instanceof TypeError);
  assert.equal(requests.length, 2);
});

Deno.test("createS3ArtifactRepository() messages name no bucket or prefix", async () => {
  const { fetch } = stubFetch(() => s3Error(404, "NoSuchBucket"));
  const err = await repoWith(fetch, { bucket: "internal-bucket", prefix: "team/secret" })
    .get("a.txt").catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "INTERNAL_ERROR");
  assert.ok(!/internal-bucket|team\/secret/.test(err.message), err.message);
});

Deno.test("createS3ArtifactRepository() trims over-long answers to ranged GETs", async () => {
  const whole = () => new Response("0123456789", { headers: { "content-length": "10" } });
  const wider = () =>
    new Response("0123456789", {
      status: 206,
      headers: { "content-range": "bytes 0-9/10", "content-length": "10" },
    });
  for (const respond of [whole, wider]) {
    const obj = await repoWith(stubFetch(respond).fetch).get("r", { start: 2, end: 4 });
    assert.deepEqual(obj?.range, { start: 2, end: 4 });
    assert.equal(obj?.size, 10);
    assert.equal(await new Response(obj!.body).text(), "234");
  }
  const empty = () =>
    new Response("", { status: 206, headers: { "content-range": "bytes 0-0/0" } });
  await assert.rejects(repoWith(stubFetch(empty).fetch).get("r", { start: 0 }), MlflowError);
});

Deno.test("createS3ArtifactRepository() aborts multipart uploads with DELETE ?uploadId", async () => {
  const { fetch, requests } = stubFetch(() => new Response(null, { status: 204 }));
  await repoWith(fetch, { endpoint: "http://s3.test" }).abortMultipartUpload("f.bin", "up/1");
  assert.equal(requests[0].method, "DELETE");
  assert.equal(requests[0].url, "http://s3.test/bkt/pre/f.bin?uploadId=up%2F1");

  const gone = stubFetch(() => s3Error(404, "NoSuchUpload"));
  const err = await repoWith(gone.fetch).abortMultipartUpload("f.bin", "x").catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "RESOURCE_DOES_NOT_EXIST");
});

Deno.test("createS3ArtifactRepository() treats an error inside a 200 complete as a failure", async () => {
  const { fetch } = stubFetch(() =>
    new Response("<Error><Code>InternalError</Code></Error>", { status: 200 })
  );
  const err = await repoWith(fetch)
    .completeMultipartUpload("f.bin", "id", [{ part_number: 1, etag: '"e"' }])
    .catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "TEMPORARILY_UNAVAILABLE");
});

Deno.test("createS3ArtifactRepository() reads its defaults from env", async () => {
  const { fetch, requests } = stubFetch(ok);
  const repo = createS3ArtifactRepository({
    bucket: "bkt",
    fetch,
    retries: 0,
    env: {
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token123",
      AWS_REGION: "ap-south-1",
      MLFLOW_S3_ENDPOINT_URL: "http://127.0.0.1:1234",
      MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "k1"}',
    },
  });
  await repo.put("a.txt", new Blob(["x"]).stream());
  const req = requests[0];
  assert.equal(req.url, "http://127.0.0.1:1234/bkt/a.txt");
  assert.match(req.headers.get("authorization")!, /Credential=AKIDENV\/\d{8}\/ap-south-1\/s3\//);
  assert.equal(req.headers.get("x-amz-security-token"), "token123");
  assert.equal(req.headers.get("x-amz-server-side-encryption"), "aws:kms");
  assert.equal(req.headers.get("x-amz-server-side-encryption-aws-kms-key-id"), "k1");
  assert.match(req.headers.get("authorization")!, /x-amz-server-side-encryption-aws-kms-key-id/);
});

Deno.test("createS3ArtifactRepository() refuses bad configuration at construction", () => {
  const base = { bucket: "bkt", credentials: CREDS, env: {} };
  const bad: [Partial<S3ArtifactRepositoryOptions>, RegExp][] = [
    [{ credentials: undefined }, /AWS_ACCESS_KEY_ID/],
    [{ partSize: 1024 }, /part size/],
    [{ endpoint: "ftp://x" }, /http/],
    [{ endpoint: "not a url" }, /valid URL/],
    [{ endpoint: "http://user:pw@x" }, /credentials/],
    [{ bucket: "bad/bucket" }, /bucket/],
    [{ prefix: "a/../b" }, /prefix/],
    [{ prefix: "a//b" }, /prefix/],
    [{ env: { MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"Nope": 1}' } }, /MLFLOW_S3_UPLOAD_EXTRA_ARGS/],
  ];
  for (const [opts, message] of bad) {
    assert.throws(() => createS3ArtifactRepository({ ...base, ...opts }), message);
  }
});

Deno.test("createS3ArtifactRepository() keeps every key under its prefix", async () => {
  const { fetch, requests } = stubFetch(ok);
  const repo = repoWith(fetch, { prefix: "/base/dir/" });
  await repo.put("x.txt", new Blob(["x"]).stream());
  assert.equal(new URL(requests[0].url).pathname, "/base/dir/x.txt");
  for (const bad of ["../x", "%2e%2e/x", "/x"]) {
    await assert.rejects(repo.put(bad, new Blob(["x"]).stream()), MlflowError);
  }
  assert.equal(requests.length, 1);
});
