import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { type AzureCredential, createAzureClient } from "./_azure_client.ts";
import { azureFailure } from "./_azure_errors.ts";

/** A fetch answering from `respond`, recording each request. */
function stubFetch(respond: (req: Request, n: number) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    requests.push(req);
    return await respond(req, requests.length);
  };
  return { fetch, requests };
}

const SHARED_KEY: AzureCredential = {
  kind: "sharedKey",
  account: "acct",
  key: new TextEncoder().encode("k".repeat(64)),
};

function clientWith(
  fetch: typeof globalThis.fetch,
  opts: { credential?: AzureCredential; retries?: number; endpoint?: string } = {},
) {
  return createAzureClient({
    endpoint: new URL(opts.endpoint ?? "https://acct.blob.core.windows.net"),
    container: "ctr",
    credential: opts.credential ?? SHARED_KEY,
    retries: opts.retries ?? 0,
    fetch,
  });
}

const azureError = (status: number, code: string) =>
  new Response(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>`, {
    status,
    headers: { "x-ms-error-code": code },
  });

Deno.test("createAzureClient(): encodes every name segment, keeps an emulator's path", () => {
  const { fetch } = stubFetch(() => new Response());
  assert.equal(
    clientWith(fetch).blobUrl("x/!'()*+ é.txt").href,
    "https://acct.blob.core.windows.net/ctr/x/%21%27%28%29%2A%2B%20%C3%A9.txt",
  );
  const emulator = clientWith(fetch, { endpoint: "http://127.0.0.1:10000/devstoreaccount1/" });
  assert.equal(
    emulator.containerUrl({ restype: "container", comp: "list", prefix: "a b/" }).href,
    "http://127.0.0.1:10000/devstoreaccount1/ctr?restype=container&comp=list&prefix=a%20b%2F",
  );
});

Deno.test("createAzureClient(): signs with Shared Key, dated and versioned", async () => {
  const { fetch, requests } = stubFetch(() => new Response(null, { status: 201 }));
  const client = clientWith(fetch);
  await client.send("PUT", client.blobUrl("a.txt"), { "x-ms-blob-type": "BlockBlob" }, "hello");
  const req = requests[0];
  assert.match(req.headers.get("authorization")!, /^SharedKey acct:[A-Za-z0-9+/]{43}=$/);
  assert.equal(req.headers.get("x-ms-version"), "2021-08-06");
  assert.ok(Math.abs(Date.parse(req.headers.get("x-ms-date")!) - Date.now()) < 5000);
  assert.equal(req.headers.get("x-ms-blob-type"), "BlockBlob");
});

Deno.test("createAzureClient(): a SAS token goes on every URL and nothing is signed", async () => {
  const { fetch, requests } = stubFetch(() => new Response());
  const client = clientWith(fetch, {
    credential: { kind: "sas", token: "sv=2021-08-06&sig=a%2B" },
  });
  await client.send("GET", client.containerUrl({ restype: "container", comp: "list" }));
  await client.send("HEAD", client.blobUrl("a"));
  assert.equal(
    requests[0].url,
    "https://acct.blob.core.windows.net/ctr?restype=container&comp=list&sv=2021-08-06&sig=a%2B",
  );
  assert.equal(requests[1].url, "https://acct.blob.core.windows.net/ctr/a?sv=2021-08-06&sig=a%2B");
  assert.equal(requests[0].headers.get("authorization"), null);
  assert.equal(await client.blobSas("a", "w", 60), null);
});

Deno.test("createAzureClient(): part SAS is write-only, https-only on an https endpoint", async () => {
  const client = clientWith(stubFetch(() => new Response()).fetch);
  const sas = new URLSearchParams((await client.blobSas("d/f.bin", "w", 600))!);
  assert.equal(sas.get("sp"), "w");
  assert.equal(sas.get("sr"), "b");
  assert.equal(sas.get("spr"), "https");
  const expiry = Date.parse(sas.get("se")!);
  assert.ok(Math.abs(expiry - (Date.now() + 600_000)) < 5000);
  const http = clientWith(stubFetch(() => new Response()).fetch, { endpoint: "http://h:1/a" });
  assert.equal(new URLSearchParams((await http.blobSas("f", "w", 60))!).get("spr"), "https,http");
});

Deno.test("createAzureClient(): retries 5xx, 429 and network errors a bounded number of times", async () => {
  const flaky = stubFetch((_req, n) =>
    n === 1
      ? azureError(429, "TooManyRequests")
      : n === 2
      ? azureError(503, "ServerBusy")
      : new Response()
  );
  const client = clientWith(flaky.fetch, { retries: 3 });
  assert.equal((await client.send("GET", client.blobUrl("a"))).status, 200);
  assert.equal(flaky.requests.length, 3);

  const down = stubFetch(() => azureError(500, "InternalError"));
  const res = await clientWith(down.fetch, { retries: 2 }).send("GET", client.blobUrl("a"));
  assert.equal(res.status, 500);
  assert.equal(down.requests.length, 3);

  const denied = stubFetch(() => azureError(403, "AuthenticationFailed"));
  await clientWith(denied.fetch, { retries: 3 }).send("GET", client.blobUrl("a"));
  assert.equal(denied.requests.length, 1);
});

Deno.test("createAzureClient(): a network failure names no endpoint and keeps no SAS signature", async () => {
  const { fetch, requests } = stubFetch((req) => {
    throw new TypeError(`error sending request for url (${req.url})`);
  });
  const client = clientWith(fetch, {
    retries: 1,
    credential: { kind: "sas", token: "sv=2021-08-06&sig=SECRETSIG" },
  });
  const err = await client.send("GET", client.blobUrl("a")).catch((e) => e);
  assert.ok(err instanceof MlflowError);
  assert.equal(err.code, "TEMPORARILY_UNAVAILABLE");
  assert.ok(!err.message.includes("acct"), err.message);
  assert.ok(err.cause instanceof Error);
  assert.ok(!err.cause.message.includes("SECRETSIG"), err.cause.message);
  assert.match(err.cause.message, /sig=REDACTED/);
  assert.equal(requests.length, 2);
});

Deno.test("azureFailure(): Azure codes map to MLflow codes, naming only the artifact path", async () => {
  const cases: [Response, string, RegExp][] = [
    [azureError(404, "BlobNotFound"), "RESOURCE_DOES_NOT_EXIST", /not found/],
    [azureError(404, "ContainerNotFound"), "INTERNAL_ERROR", /container does not exist/],
    [azureError(403, "AuthenticationFailed"), "PERMISSION_DENIED", /AZURE_STORAGE_ACCESS_KEY/],
    [azureError(403, "AuthorizationPermissionMismatch"), "PERMISSION_DENIED", /denied/],
    [new Response(null, { status: 403 }), "PERMISSION_DENIED", /HTTP 403/],
    [azureError(400, "InvalidBlockList"), "INVALID_PARAMETER_VALUE", /InvalidBlockList/],
    [azureError(413, "RequestBodyTooLarge"), "INVALID_PARAMETER_VALUE", /larger/],
    [azureError(416, "InvalidRange"), "INVALID_PARAMETER_VALUE", /not satisfiable/],
    [azureError(503, "ServerBusy"), "TEMPORARILY_UNAVAILABLE", /ServerBusy/],
    [azureError(409, "LeaseIdMissing"), "INTERNAL_ERROR", /LeaseIdMissing/],
    // A HEAD answer has no body: the code comes from the header.
    [
      new Response(null, { status: 404, headers: { "x-ms-error-code": "BlobNotFound" } }),
      "RESOURCE_DOES_NOT_EXIST",
      /not found/,
    ],
  ];
  for (const [res, code, message] of cases) {
    const err = await azureFailure(res, "download", "a/b.txt");
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    assert.match(err.message, /"a\/b\.txt"/);
  }
});
