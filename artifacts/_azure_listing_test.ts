import assert from "node:assert/strict";
import { createAzureClient } from "./_azure_client.ts";
import { deleteBlob, type ListPage, listPages } from "./_azure_listing.ts";

function clientAnswering(respond: (url: URL) => Response) {
  const urls: URL[] = [];
  const headers: Headers[] = [];
  const client = createAzureClient({
    endpoint: new URL("https://acct.blob.core.windows.net"),
    container: "ctr",
    credential: { kind: "sas", token: "sv=x&sig=y" },
    retries: 0,
    fetch: (input, init) => {
      const url = new URL(String(input));
      urls.push(url);
      headers.push(new Headers(init?.headers));
      return Promise.resolve(respond(url));
    },
  });
  return { client, urls, headers };
}

const page = (blobs: string, next = "") =>
  new Response(
    `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://acct.blob.core.windows.net/" ContainerName="ctr"><Prefix>p/</Prefix><MaxResults>2</MaxResults><Delimiter>/</Delimiter><Blobs>${blobs}</Blobs><NextMarker>${next}</NextMarker></EnumerationResults>`,
  );

const blob = (name: string, size: number, extra = "") =>
  `<Blob><Name>${name}</Name><Properties><Content-Length>${size}</Content-Length></Properties>${extra}</Blob>`;

async function allPages(client: ReturnType<typeof clientAnswering>["client"], delimiter = "/") {
  const pages: ListPage[] = [];
  for await (const p of listPages(client, "p/", delimiter, 2, "")) pages.push(p);
  return pages;
}

Deno.test("listPages(): follows NextMarker and asks for the page size and metadata", async () => {
  const { client, urls } = clientAnswering((url) =>
    url.searchParams.get("marker") === null
      ? page(blob("p/a", 1) + "<BlobPrefix><Name>p/d/</Name></BlobPrefix>", "MARK 1")
      : page(blob("p/b", 2))
  );
  const pages = await allPages(client);
  assert.deepEqual(pages, [
    { blobs: [{ name: "p/a", size: 1, isFolder: false }], prefixes: ["p/d/"] },
    { blobs: [{ name: "p/b", size: 2, isFolder: false }], prefixes: [] },
  ]);
  assert.equal(urls.length, 2);
  assert.equal(urls[0].searchParams.get("maxresults"), "2");
  assert.equal(urls[0].searchParams.get("include"), "metadata");
  assert.equal(urls[0].searchParams.get("delimiter"), "/");
  assert.equal(urls[1].searchParams.get("marker"), "MARK 1");
  assert.equal(urls[1].searchParams.get("sig"), "y");
});

Deno.test("listPages(): an empty page with a marker is followed, not taken for the end", async () => {
  const { client, urls } = clientAnswering((url) =>
    url.searchParams.get("marker") === null ? page("", "m") : page(blob("p/z", 3))
  );
  const pages = await allPages(client, "");
  assert.equal(urls.length, 2);
  assert.equal(urls[0].searchParams.get("delimiter"), null);
  assert.deepEqual(pages.flatMap((p) => p.blobs.map((b) => b.name)), ["p/z"]);
});

Deno.test("listPages(): names keep their spaces and entities; Encoded names are decoded", async () => {
  const { client } = clientAnswering(() =>
    page(
      blob("p/ 007 ", 1) + blob("p/a &amp; b", 1) +
        `<Blob><Name Encoded="true">p%2Fctl%01x</Name><Properties><Content-Length>4</Content-Length></Properties></Blob>`,
    )
  );
  const [only] = await allPages(client);
  assert.deepEqual(only.blobs.map((b) => b.name), ["p/ 007 ", "p/a & b", "p/ctl\u0001x"]);
});

Deno.test("listPages(): hierarchical-namespace folders are marked", async () => {
  const { client } = clientAnswering(() =>
    page(
      blob("p/dir", 0, "<Metadata><hdi_isfolder>true</hdi_isfolder></Metadata>") +
        blob("p/file", 5, "<Metadata><team>ml</team></Metadata>") +
        "<Blob><Name>p/dir2</Name><Properties><Content-Length>0</Content-Length>" +
        "<ResourceType>directory</ResourceType></Properties></Blob>",
    )
  );
  const [only] = await allPages(client);
  assert.deepEqual(only.blobs.map((b) => [b.name, b.isFolder]), [
    ["p/dir", true],
    ["p/file", false],
    ["p/dir2", true],
  ]);
});

Deno.test("deleteBlob(): includes snapshots; a missing blob is fine, a missing container is not", async () => {
  const { client, urls, headers } = clientAnswering(() =>
    new Response(null, { status: 404, headers: { "x-ms-error-code": "BlobNotFound" } })
  );
  await deleteBlob(client, "p/x", "x");
  assert.equal(urls.length, 1);
  assert.equal(headers[0].get("x-ms-delete-snapshots"), "include");
  const gone = clientAnswering(() =>
    new Response(null, { status: 404, headers: { "x-ms-error-code": "ContainerNotFound" } })
  );
  await assert.rejects(deleteBlob(gone.client, "p/x", "x"), /container does not exist/);
});
