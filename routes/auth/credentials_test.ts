import assert from "node:assert/strict";
import {
  type Credentials,
  MAX_AUTHORIZATION_HEADER_LENGTH,
  parseCredentials,
} from "./credentials.ts";

const b64 = (s: string) => {
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
};
const parse = (authorization?: string): Credentials =>
  parseCredentials(new Headers(authorization === undefined ? {} : { authorization }));

Deno.test("parseCredentials: no header is none", () => {
  assert.deepEqual(parse(), { kind: "none" });
});

Deno.test("parseCredentials: Basic as the MLflow client sends it, any scheme case", () => {
  for (const scheme of ["Basic", "basic", "BASIC", "bAsIc"]) {
    assert.deepEqual(parse(`${scheme} ${b64("alice:correct horse battery")}`), {
      kind: "basic",
      username: "alice",
      password: "correct horse battery",
    });
  }
});

Deno.test("parseCredentials: Basic splits at the first colon; UTF-8 names and passwords", () => {
  assert.deepEqual(parse(`Basic ${b64("bob:a:b:c")}`), {
    kind: "basic",
    username: "bob",
    password: "a:b:c",
  });
  assert.deepEqual(parse(`Basic ${b64("zoë:pässwörd✓")}`), {
    kind: "basic",
    username: "zoë",
    password: "pässwörd✓",
  });
  assert.deepEqual(parse(`Basic ${b64("carol:")}`), {
    kind: "basic",
    username: "carol",
    password: "",
  });
});

Deno.test("parseCredentials: Bearer as MLFLOW_TRACKING_TOKEN sends it", () => {
  const token = "kvf_" + "A".repeat(43);
  assert.deepEqual(parse(`Bearer ${token}`), { kind: "bearer", token });
  assert.deepEqual(parse(`bearer ${token}`), { kind: "bearer", token });
  assert.deepEqual(parse("Bearer some-bearer-token"), {
    kind: "bearer",
    token: "some-bearer-token",
  });
});

Deno.test("parseCredentials: the malformed forms of mlflow-auth-traffic.md §1 and more", () => {
  const bad = [
    "",
    "Basic",
    "Basic ",
    "Basic !!!notbase64",
    `Basic ${b64("adminnocolon")}`,
    "Basic Og==", // ":" — empty username
    `Basic ${b64(":password")}`,
    "Basic YWxpY2U6cA=", // bad padding
    "Basic YWxp Y2U6cA==", // two credentials
    `Basic ${btoa("alice:\xff\xfe")}`, // not UTF-8
    'Digest username="admin"',
    "Bearer",
    "Bearer a b",
    "Bearer ab\u00e9",
    "Negotiate abc",
    `Basic${b64("alice:pw")}`,
  ];
  for (const h of bad) {
    let headers: Headers;
    try {
      headers = new Headers({ authorization: h });
    } catch {
      continue; // not even a valid header value
    }
    assert.deepEqual(parseCredentials(headers), { kind: "malformed" }, h);
  }
});

Deno.test("parseCredentials: a header over 8 KiB is malformed without decoding", () => {
  const user = "u".repeat(MAX_AUTHORIZATION_HEADER_LENGTH);
  assert.deepEqual(parse(`Basic ${b64(`${user}:pw`)}`), { kind: "malformed" });
  assert.deepEqual(parse(`Bearer ${"t".repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`), {
    kind: "malformed",
  });
  const fits = `Basic ${b64("alice:" + "p".repeat(6000))}`;
  assert.ok(fits.length <= MAX_AUTHORIZATION_HEADER_LENGTH);
  assert.equal(parse(fits).kind, "basic");
});
