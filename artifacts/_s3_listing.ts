/**
 * S3 listing (ListObjectsV2 pages, following continuation tokens) and batch deletion.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { MlflowError } from "../store/errors.ts";
import {
  parseXml,
  type S3Client,
  s3Failure,
  xmlChild,
  xmlEscape,
  xmlList,
  xmlText,
} from "./_s3_client.ts";

/** DeleteObjects takes at most 1000 keys. */
const DELETE_BATCH = 1000;
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** One ListObjectsV2 page: objects, and common prefixes when listing with a delimiter. */
export interface ListPage {
  objects: { key: string; size: number }[];
  prefixes: string[];
}

/**
 * Lists keys under `keyPrefix` page by page (1000 keys a page on S3); `delimiter` `"/"` groups
 * deeper keys into common prefixes, `""` lists every key. `rel` names the path in errors.
 */
export async function* listPages(
  client: S3Client,
  keyPrefix: string,
  delimiter: string,
  rel: string,
): AsyncGenerator<ListPage> {
  let token = "";
  do {
    const query: Record<string, string> = { "list-type": "2", prefix: keyPrefix };
    if (delimiter) query.delimiter = delimiter;
    if (token) query["continuation-token"] = token;
    const res = await client.send("GET", client.bucketUrl(query));
    if (!res.ok) throw await s3Failure(res, "list", rel);
    const result = xmlChild(parseXml(await res.text()), "ListBucketResult");
    yield {
      objects: xmlList(xmlChild(result, "Contents")).map((c) => ({
        key: xmlText(c, "Key"),
        size: Number(xmlText(c, "Size")) || 0,
      })).filter((o) => o.key.startsWith(keyPrefix)),
      prefixes: xmlList(xmlChild(result, "CommonPrefixes")).map((p) => xmlText(p, "Prefix"))
        .filter((p) => p.startsWith(keyPrefix) && p.length > keyPrefix.length),
    };
    const truncated = xmlText(result, "IsTruncated") === "true";
    token = truncated ? xmlText(result, "NextContinuationToken") : "";
    if (truncated && !token) {
      throw new MlflowError(
        "INTERNAL_ERROR",
        "Artifact store listing is truncated without a token",
      );
    }
  } while (token);
}

/** Deletes keys with DeleteObjects, 1000 at a time. */
export async function deleteKeys(client: S3Client, keys: string[], rel: string): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    await deleteBatch(client, keys.slice(i, i + DELETE_BATCH), rel);
  }
}

/** Deletes one key; a missing key is not an error. */
export async function deleteKey(client: S3Client, key: string, rel: string): Promise<void> {
  const res = await client.send("DELETE", client.objectUrl(key));
  if (!res.ok && res.status !== 404) throw await s3Failure(res, "delete", rel);
  await res.body?.cancel();
}

async function deleteBatch(client: S3Client, keys: string[], rel: string): Promise<void> {
  // XML 1.0 cannot carry control characters, so such keys (never written by this server, but
  // possibly by other tools) are deleted one by one.
  const plain: string[] = [];
  for (const key of keys) {
    if (CONTROL_CHARS.test(key)) await deleteKey(client, key, rel);
    else plain.push(key);
  }
  if (plain.length === 0) return;
  const xml = `<Delete><Quiet>true</Quiet>${
    plain.map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`).join("")
  }</Delete>`;
  const headers = {
    "content-type": "application/xml",
    // DeleteObjects requires a body checksum; MD5 is the one every S3 implementation accepts.
    "content-md5": createHash("md5").update(xml).digest("base64"),
  };
  const res = await client.send("POST", client.bucketUrl({ delete: "" }), headers, xml);
  const text = await res.text();
  if (!res.ok) throw await s3Failure(new Response(text, { status: res.status }), "delete", rel);
  const errors = xmlList(xmlChild(xmlChild(parseXml(text), "DeleteResult"), "Error"));
  if (errors.length > 0) {
    const code = xmlText(errors[0], "Code") || "unknown error";
    throw new MlflowError(
      "INTERNAL_ERROR",
      `Artifact store failed to delete ${errors.length} objects under ${
        JSON.stringify(rel)
      } (${code})`,
    );
  }
}
