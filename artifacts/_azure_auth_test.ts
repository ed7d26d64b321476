import assert from "node:assert/strict";
import {
  AZURE_API_VERSION,
  hmacBase64,
  importAccountKey,
  sasTime,
  serviceSas,
  serviceSasStringToSign,
  sharedKeyAuthorization,
  sharedKeyStringToSign,
} from "./_azure_auth.ts";

// The vectors below were written by hand from Azure's "Authorize with Shared Key" and "Create a
// service SAS" pages, and their signatures computed apart from this code, with
// `printf "$STRING_TO_SIGN" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY_HEX -binary | base64`.

/** Azurite's published development key (any base64 key would do). */
const KEY_B64 =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const key = () => importAccountKey(Uint8Array.from(atob(KEY_B64), (c) => c.charCodeAt(0)));
const DATE = "Mon, 01 Jan 2024 00:00:00 GMT";

Deno.test("sharedKeyStringToSign(): Put Block, as the spec lays it out", async () => {
  const url = new URL(
    "https://myaccount.blob.core.windows.net/mycontainer/a%20b/c.txt?comp=block&blockid=QUJD",
  );
  const headers = {
    "x-ms-version": AZURE_API_VERSION,
    "x-ms-date": DATE,
    "x-ms-blob-type": "BlockBlob",
    "content-length": "5",
  };
  const expected = "PUT\n" + // verb
    "\n" + // Content-Encoding
    "\n" + // Content-Language
    "5\n" + // Content-Length
    "\n\n\n\n\n\n\n\n" + // Content-MD5, Content-Type, Date, If-*, Range: all empty
    "x-ms-blob-type:BlockBlob\n" +
    `x-ms-date:${DATE}\n` +
    "x-ms-version:2021-08-06\n" +
    "/myaccount/mycontainer/a%20b/c.txt\n" + // the path as sent, still encoded
    "blockid:QUJD\n" +
    "comp:block";
  const stringToSign = sharedKeyStringToSign("PUT", url, headers, "myaccount");
  assert.equal(stringToSign, expected);
  assert.equal(
    await sharedKeyAuthorization(await key(), "myaccount", stringToSign),
    "SharedKey myaccount:7t0/3ZEjOzsEsORR+0TNizN2pKvCphCLyZ10+vJ1bnc=",
  );
});

Deno.test("sharedKeyStringToSign(): List Blobs query, decoded and sorted; zero length empty", async () => {
  const url = new URL(
    "https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list&prefix=a%20b%2F&include=metadata",
  );
  const headers = { "x-ms-date": DATE, "x-ms-version": AZURE_API_VERSION, "content-length": "0" };
  const stringToSign = sharedKeyStringToSign("get", url, headers, "myaccount");
  assert.equal(
    stringToSign,
    "GET\n\n\n\n\n\n\n\n\n\n\n\n" +
      `x-ms-date:${DATE}\nx-ms-version:2021-08-06\n` +
      "/myaccount/mycontainer\ncomp:list\ninclude:metadata\nprefix:a b/\nrestype:container",
  );
  assert.equal(
    await hmacBase64(await key(), stringToSign),
    "oo/+rymOP6Xh3shlON35S+P7vFzFMc2JEBDQGX0Jkus=",
  );
});

Deno.test("sharedKeyStringToSign(): standard headers in place, x-ms- headers folded and sorted", () => {
  const url = new URL("http://127.0.0.1:10000/devstoreaccount1/c/b?A=2&a=1");
  const stringToSign = sharedKeyStringToSign("PUT", url, {
    "content-type": "application/xml",
    "range": "bytes=0-1",
    "X-MS-Meta-B": "  two   words ",
    "x-ms-date": DATE,
    "accept": "ignored",
  }, "devstoreaccount1");
  assert.equal(
    stringToSign,
    "PUT\n\n\n\n\napplication/xml\n\n\n\n\n\nbytes=0-1\n" +
      `x-ms-date:${DATE}\nx-ms-meta-b:two words\n` +
      // Path style: the account appears twice, as the Azure SDKs sign for emulators.
      "/devstoreaccount1/devstoreaccount1/c/b\na:1,2",
  );
});

Deno.test("serviceSas(): a blob SAS matches the spec's string-to-sign", async () => {
  const opts = {
    account: "myaccount",
    container: "mycontainer",
    blob: "dir/file name.bin",
    permissions: "w",
    expiry: new Date("2024-01-01T01:00:00.123Z"),
    protocol: "https" as const,
  };
  assert.equal(sasTime(opts.expiry), "2024-01-01T01:00:00Z");
  const stringToSign = serviceSasStringToSign(opts, "2024-01-01T01:00:00Z", "b");
  assert.equal(
    stringToSign,
    "w\n" + // signedPermissions
      "\n" + // signedStart
      "2024-01-01T01:00:00Z\n" + // signedExpiry
      "/blob/myaccount/mycontainer/dir/file name.bin\n" + // canonicalizedResource, unencoded
      "\n\n" + // signedIdentifier, signedIP
      "https\n" + // signedProtocol
      "2021-08-06\n" + // signedVersion
      "b\n" + // signedResource
      "\n\n\n\n\n\n", // snapshot time, encryption scope, rscc, rscd, rsce, rscl, rsct
  );
  const sas = new URLSearchParams(await serviceSas(await key(), opts));
  assert.deepEqual(Object.fromEntries(sas), {
    sv: "2021-08-06",
    spr: "https",
    se: "2024-01-01T01:00:00Z",
    sr: "b",
    sp: "w",
    sig: "SzYwwy3p/NAS4xWP5wl/sWeGlLycLHAvAsbv0EdcPTE=",
  });
});

Deno.test("serviceSas(): a container SAS has sr=c and no blob in its resource", async () => {
  const opts = {
    account: "acct",
    container: "ctr",
    permissions: "rwdl",
    expiry: new Date("2030-05-06T07:08:09Z"),
    protocol: "https,http" as const,
  };
  const sas = new URLSearchParams(await serviceSas(await key(), opts));
  assert.equal(sas.get("sr"), "c");
  assert.equal(sas.get("spr"), "https,http");
  const stringToSign = serviceSasStringToSign(opts, "2030-05-06T07:08:09Z", "c");
  assert.match(stringToSign, /^rwdl\n\n2030-05-06T07:08:09Z\n\/blob\/acct\/ctr\n/);
  assert.equal(sas.get("sig"), await hmacBase64(await key(), stringToSign));
});
