import assert from "node:assert/strict";
import { parseWasbUri, resolveAzureConfig } from "./_azure_config.ts";

const KEY = btoa("k".repeat(64));
const URI = "wasbs://artifacts@myaccount.blob.core.windows.net/mlflow/runs";

Deno.test("parseWasbUri(): container, account, suffix and prefix as MLflow reads them", () => {
  assert.deepEqual(parseWasbUri(URI), {
    protocol: "https:",
    container: "artifacts",
    account: "myaccount",
    suffix: "core.windows.net",
    prefix: "mlflow/runs",
  });
  assert.deepEqual(parseWasbUri("wasb://c-1@acct1.blob.core.chinacloudapi.cn"), {
    protocol: "http:",
    container: "c-1",
    account: "acct1",
    suffix: "core.chinacloudapi.cn",
    prefix: "",
  });
  assert.equal(parseWasbUri("WASBS://abc@acct.blob.core.windows.net/p/").prefix, "p");
});

Deno.test("parseWasbUri(): malformed destinations are refused", () => {
  const bad: [string, RegExp][] = [
    ["s3://bucket/x", /expected wasbs:\/\//],
    ["wasbs://myaccount.blob.core.windows.net/x", /expected/],
    ["wasbs://c@acct.blob.core.windows.net/x?sig=abc", /without a query/],
    ["wasbs://c@acct.blob.core.windows.net/x#frag", /without a query/],
    ["wasbs://abc@acct.blob.core.windows.net:443/x", /host must be/],
    ["wasbs://abc@acct.dfs.core.windows.net/x", /host must be/],
    ["wasbs://ab@acct.blob.core.windows.net", /container name/],
    ["wasbs://Upper@acct.blob.core.windows.net", /container name/],
    ["wasbs://a--b@acct.blob.core.windows.net", /container name/],
    ["wasbs://-ab@acct.blob.core.windows.net", /container name/],
    ["wasbs://abc@my-acct.blob.core.windows.net", /account name/],
    ["wasbs://abc@ac.blob.core.windows.net", /account name/],
    ["wasbs://abc@acct.blob.core.windows.net/a/../b", /Invalid path/],
    ["wasbs://abc@acct.blob.core.windows.net/a//b", /Invalid path/],
    ["wasbs://abc@acct.blob.core.windows.net/a%2Fb", /Invalid path/],
  ];
  for (const [uri, message] of bad) assert.throws(() => parseWasbUri(uri), message, uri);
});

Deno.test("resolveAzureConfig(): AZURE_STORAGE_CONNECTION_STRING comes first", () => {
  const config = resolveAzureConfig({
    uri: URI,
    env: {
      AZURE_STORAGE_CONNECTION_STRING:
        `DefaultEndpointsProtocol=https;AccountName=other;AccountKey=${KEY};EndpointSuffix=core.usgovcloudapi.net`,
      AZURE_STORAGE_ACCESS_KEY: btoa("ignored"),
      AZURE_STORAGE_SAS_TOKEN: "sv=1&sig=x",
    },
  });
  assert.equal(config.client.endpoint.href, "https://other.blob.core.usgovcloudapi.net/");
  assert.equal(config.client.container, "artifacts");
  assert.equal(config.prefix, "mlflow/runs");
  const cred = config.client.credential;
  assert.equal(cred.kind, "sharedKey");
  assert.equal(cred.kind === "sharedKey" && cred.account, "other");
  assert.equal(cred.kind === "sharedKey" && new TextDecoder().decode(cred.key), "k".repeat(64));
});

Deno.test("resolveAzureConfig(): a BlobEndpoint (emulator) is used as it is, path and all", () => {
  const { client } = resolveAzureConfig({
    uri: URI,
    env: {
      AZURE_STORAGE_CONNECTION_STRING:
        `AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;`,
    },
  });
  assert.equal(client.endpoint.href, "http://127.0.0.1:10000/devstoreaccount1/");
});

Deno.test("resolveAzureConfig(): a connection string with only a SAS", () => {
  const { client } = resolveAzureConfig({
    uri: URI,
    env: {
      AZURE_STORAGE_CONNECTION_STRING:
        "BlobEndpoint=https://x.example/;SharedAccessSignature=sv=2021-08-06&sp=rl&sig=a%2Bb%3D",
    },
  });
  assert.deepEqual(client.credential, {
    kind: "sas",
    token: "sv=2021-08-06&sp=rl&sig=a%2Bb%3D",
  });
});

Deno.test("resolveAzureConfig(): AZURE_STORAGE_ACCESS_KEY, then AZURE_STORAGE_SAS_TOKEN, on the URI's account", () => {
  const keyed = resolveAzureConfig({ uri: URI, env: { AZURE_STORAGE_ACCESS_KEY: KEY } });
  assert.equal(keyed.client.endpoint.href, "https://myaccount.blob.core.windows.net/");
  assert.equal(keyed.client.credential.kind, "sharedKey");

  const sas = resolveAzureConfig({
    uri: "wasb://artifacts@myaccount.blob.core.windows.net",
    env: { AZURE_STORAGE_SAS_TOKEN: "?sv=2021-08-06&ss=b&sig=abc" },
  });
  assert.equal(sas.client.endpoint.href, "http://myaccount.blob.core.windows.net/");
  assert.deepEqual(sas.client.credential, { kind: "sas", token: "sv=2021-08-06&ss=b&sig=abc" });
});

Deno.test("resolveAzureConfig(): tuning defaults and bounds", () => {
  const config = resolveAzureConfig({ uri: URI, env: { AZURE_STORAGE_ACCESS_KEY: KEY } });
  assert.equal(config.blockSize, 8 * 1024 * 1024);
  assert.equal(config.sasExpiresSeconds, 3600);
  assert.equal(config.listPageSize, 5000);
  assert.equal(config.client.retries, 3);
  const env = { AZURE_STORAGE_ACCESS_KEY: KEY };
  assert.throws(() => resolveAzureConfig({ uri: URI, env, blockSize: 1024 }), /block size/);
  assert.throws(
    () => resolveAzureConfig({ uri: URI, env, blockSize: 101 * 2 ** 20 }),
    /block size/,
  );
  assert.throws(() => resolveAzureConfig({ uri: URI, env, listPageSize: 0 }), /page size/);
  assert.throws(() => resolveAzureConfig({ uri: URI, env, retries: -1 }), /retries/);
});

Deno.test("resolveAzureConfig(): missing or malformed credentials name the variables, never the secret", () => {
  const secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"; // base64 without its padding: not a key
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCESS_KEY or AZURE_STORAGE_SAS_TOKEN/],
    [
      { AZURE_STORAGE_ACCESS_KEY: secret },
      /AZURE_STORAGE_ACCESS_KEY: the account key is not base64/,
    ],
    [{ AZURE_STORAGE_CONNECTION_STRING: `AccountName=a;AccountKey=${secret}` }, /not base64/],
    [{ AZURE_STORAGE_CONNECTION_STRING: `${secret}` }, /malformed/],
    [{ AZURE_STORAGE_CONNECTION_STRING: `AccountKey=${KEY}` }, /AccountName or BlobEndpoint/],
    [
      { AZURE_STORAGE_CONNECTION_STRING: `BlobEndpoint=http://h/;AccountKey=${KEY}` },
      /AccountKey but no AccountName/,
    ],
    [{ AZURE_STORAGE_CONNECTION_STRING: "AccountName=a" }, /AccountKey or SharedAccessSignature/],
    [{ AZURE_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true" }, /not supported/],
    [
      { AZURE_STORAGE_CONNECTION_STRING: `AccountName=a;AccountKey=${KEY};BlobEndpoint=ftp://x` },
      /http:\/\/ or https:\/\//,
    ],
    [{ AZURE_STORAGE_SAS_TOKEN: `sv=1&se=${secret}` }, /sv= and sig=/],
  ];
  for (const [env, message] of cases) {
    let err: unknown;
    try {
      resolveAzureConfig({ uri: URI, env });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error, JSON.stringify(env));
    assert.match(err.message, message);
    assert.ok(!err.message.includes(secret), err.message);
    assert.ok(!err.message.includes(KEY), err.message);
  }
});
