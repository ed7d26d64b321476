/**
 * Azure Storage request authorisation, written from Azure's REST documentation with WebCrypto
 * (no Azure SDK): Shared Key signatures ("Authorize with Shared Key") and service SAS tokens
 * ("Create a service SAS"), both HMAC-SHA256 with the account key.
 *
 * @module
 */

/** The REST version sent as `x-ms-version` and signed into SAS tokens as `sv`. */
export const AZURE_API_VERSION = "2021-08-06";

/** The standard headers in the order the Shared Key string-to-sign lists them. */
const SIGNED_STANDARD_HEADERS = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range",
] as const;

/**
 * The Shared Key string-to-sign of a request (version 2009-09-19 and later): the verb, eleven
 * standard headers (a zero `Content-Length` is empty, as from version 2015-02-21), the
 * canonicalized `x-ms-` headers and the canonicalized resource `/<account><path>` followed by
 * each query parameter as `\nname:value`. `headers` must hold every header the request will
 * carry, with lowercase names.
 */
export function sharedKeyStringToSign(
  method: string,
  url: URL,
  headers: Record<string, string>,
  account: string,
): string {
  const standard = SIGNED_STANDARD_HEADERS.map((name) => {
    const value = headers[name] ?? "";
    return name === "content-length" && value === "0" ? "" : value;
  });
  return [method.toUpperCase(), ...standard].join("\n") + "\n" +
    canonicalizedHeaders(headers) + canonicalizedResource(url, account);
}

/** `x-ms-*` headers, lowercased and sorted, one `name:value\n` each, whitespace folded. */
function canonicalizedHeaders(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => name.startsWith("x-ms-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value.replace(/\s+/g, " ").trim()}\n`)
    .join("");
}

/**
 * `/<account><encoded path>`, then each query parameter as `\n<lowercase name>:<decoded values,
 * sorted, comma-separated>`, names sorted. The path is signed as sent (still percent-encoded):
 * the service signs the raw request path. With a path-style endpoint (an emulator) the account
 * appears twice, as `/devstoreaccount1/devstoreaccount1/container/blob`.
 */
function canonicalizedResource(url: URL, account: string): string {
  const params = new Map<string, string[]>();
  const query = url.search.slice(1);
  for (const pair of query === "" ? [] : query.split("&")) {
    const eq = pair.indexOf("=");
    const name = decodeQuery(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? "" : decodeQuery(pair.slice(eq + 1));
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  const names = [...params.keys()].sort();
  return `/${account}${url.pathname || "/"}` +
    names.map((name) => `\n${name}:${params.get(name)!.sort().join(",")}`).join("");
}

function decodeQuery(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, "%20"));
}

/** An HMAC-SHA256 key for an account key, imported once per repository. */
export function importAccountKey(key: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** Base64 of HMAC-SHA256(key, UTF-8 of `text`): the signature of both schemes. */
export async function hmacBase64(key: CryptoKey, text: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  let binary = "";
  for (const byte of new Uint8Array(mac)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The `Authorization` header value: `SharedKey <account>:<signature>`. */
export async function sharedKeyAuthorization(
  key: CryptoKey,
  account: string,
  stringToSign: string,
): Promise<string> {
  return `SharedKey ${account}:${await hmacBase64(key, stringToSign)}`;
}

/** What a service SAS grants. */
export interface ServiceSasOptions {
  account: string;
  container: string;
  /** The blob name, unencoded; absent for a container SAS (`sr=c`). */
  blob?: string;
  /** Letters in Azure's order (`racwdl…`): e.g. `w` to upload blocks, `racwdl` for everything. */
  permissions: string;
  expiry: Date;
  /** `https` or `https,http`; the SAS is refused over a protocol it does not name. */
  protocol: "https" | "https,http";
}

/**
 * A service SAS (version {@linkcode AZURE_API_VERSION}) as a query string without `?`: `sv`,
 * `spr`, `se`, `sr`, `sp`, `sig`. The string-to-sign of versions 2020-12-06 and later is
 * permissions, start, expiry, `/blob/<account>/<container>[/<blob>]`, identifier, IP, protocol,
 * version, resource, snapshot time, encryption scope and the five response-header overrides,
 * joined by newlines (empty fields stay as empty lines).
 */
export async function serviceSas(key: CryptoKey, opts: ServiceSasOptions): Promise<string> {
  const expiry = sasTime(opts.expiry);
  const resource = opts.blob === undefined ? "c" : "b";
  const stringToSign = serviceSasStringToSign(opts, expiry, resource);
  const params: [string, string][] = [
    ["sv", AZURE_API_VERSION],
    ["spr", opts.protocol],
    ["se", expiry],
    ["sr", resource],
    ["sp", opts.permissions],
    ["sig", await hmacBase64(key, stringToSign)],
  ];
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
}

/** The service SAS string-to-sign; exported for the known-vector test. */
export function serviceSasStringToSign(
  opts: ServiceSasOptions,
  expiry: string,
  resource: "b" | "c",
): string {
  const canonical = `/blob/${opts.account}/${opts.container}` +
    (opts.blob === undefined ? "" : `/${opts.blob}`);
  return [
    opts.permissions,
    "", // signedStart: none, so a client clock behind the server's cannot make it "not yet valid"
    expiry,
    canonical,
    "", // signedIdentifier
    "", // signedIP
    opts.protocol,
    AZURE_API_VERSION,
    resource,
    "", // signedSnapshotTime
    "", // signedEncryptionScope
    "", // rscc
    "", // rscd
    "", // rsce
    "", // rscl
    "", // rsct
  ].join("\n");
}

/** ISO 8601 in UTC without milliseconds, the form SAS times take: `2026-01-02T03:04:05Z`. */
export function sasTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
