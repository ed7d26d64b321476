/**
 * Azure Blob listing (List Blobs pages, following `NextMarker`) and deletion.
 *
 * @module
 */

import { XMLParser } from "fast-xml-parser";
import { MlflowError } from "../store/errors.ts";
import type { AzureClient } from "./_azure_client.ts";
import { azureFailure } from "./_azure_errors.ts";
import { xmlChild, xmlList, type XmlNode, xmlText, type XmlValue } from "./_s3_client.ts";

/** Deletes in flight at once while emptying a directory: Azure has no plain batch delete. */
const DELETE_CONCURRENCY = 16;

/** One blob of a listing. */
export interface BlobEntry {
  name: string;
  size: number;
  /**
   * A directory of an account with a hierarchical namespace (Data Lake Storage), listed as a
   * zero-length blob with `hdi_isfolder=true` metadata: not a file.
   */
  isFolder: boolean;
}

/** One List Blobs page: blobs, and prefixes when listing with a delimiter. */
export interface ListPage {
  blobs: BlobEntry[];
  prefixes: string[];
}

/**
 * Lists blob names under `namePrefix` page by page (`pageSize` a page at most); `delimiter`
 * `"/"` groups deeper names into prefixes, `""` lists every blob. `rel` names the path in errors.
 */
export async function* listPages(
  client: AzureClient,
  namePrefix: string,
  delimiter: string,
  pageSize: number,
  rel: string,
): AsyncGenerator<ListPage> {
  let marker = "";
  do {
    const query: Record<string, string> = {
      restype: "container",
      comp: "list",
      include: "metadata",
      maxresults: String(pageSize),
    };
    if (namePrefix) query.prefix = namePrefix;
    if (delimiter) query.delimiter = delimiter;
    if (marker) query.marker = marker;
    const res = await client.send("GET", client.containerUrl(query));
    if (!res.ok) throw await azureFailure(res, "list", rel);
    const result = xmlChild(parseXml(await res.text()), "EnumerationResults");
    const blobs = xmlChild(result, "Blobs");
    yield {
      blobs: xmlList(xmlChild(blobs, "Blob")).map((b) => ({
        name: blobName(b),
        size: Number(xmlText(xmlChild(b, "Properties"), "Content-Length")) || 0,
        isFolder: isFolder(b),
      })).filter((b) => b.name.startsWith(namePrefix)),
      prefixes: xmlList(xmlChild(blobs, "BlobPrefix")).map(blobName)
        .filter((p) => p.startsWith(namePrefix) && p.length > namePrefix.length),
    };
    marker = xmlText(result, "NextMarker");
  } while (marker);
}

/** Deletes one blob with its snapshots; a missing blob is not an error. */
export async function deleteBlob(client: AzureClient, name: string, rel: string): Promise<void> {
  // Without `include`, a blob that has snapshots cannot be deleted (409 SnapshotsPresent).
  const res = await client.send("DELETE", client.blobUrl(name), {
    "x-ms-delete-snapshots": "include",
  });
  if (res.status === 404) {
    const failure = await azureFailure(res, "delete", rel);
    if (failure.code === "RESOURCE_DOES_NOT_EXIST") return;
    throw failure;
  }
  if (!res.ok) throw await azureFailure(res, "delete", rel);
  await res.body?.cancel();
}

/** Deletes blobs, {@linkcode DELETE_CONCURRENCY} at a time. */
export async function deleteBlobs(
  client: AzureClient,
  names: string[],
  rel: string,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < names.length) await deleteBlob(client, names[next++], rel);
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, names.length) }, worker));
}

const parser = new XMLParser({
  // Kept for `<Name Encoded="true">`; attributes come back as `@_Name` keys.
  ignoreAttributes: false,
  // Names like "007" or "1e3" must stay strings, and names may start or end with spaces.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
});

function parseXml(text: string): XmlNode {
  const doc: unknown = parser.parse(text);
  if (typeof doc !== "object" || doc === null) {
    throw new MlflowError("INTERNAL_ERROR", "Artifact store answered a listing that is not XML");
  }
  return doc as XmlNode;
}

/**
 * A `<Name>`'s text. Names holding characters XML cannot carry come percent-encoded, marked
 * `Encoded="true"` (version 2019-12-12 and later).
 */
function blobName(node: XmlValue): string {
  const name = xmlChild(node, "Name");
  if (typeof name === "string") return name;
  const text = xmlText(name, "#text");
  if (xmlText(name, "@_Encoded") !== "true") return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isFolder(blob: XmlValue): boolean {
  const folderMeta = xmlText(xmlChild(blob, "Metadata"), "hdi_isfolder").toLowerCase();
  const resourceType = xmlText(xmlChild(blob, "Properties"), "ResourceType");
  return folderMeta === "true" || resourceType === "directory";
}
