import { Layout } from "../components/Layout.tsx";

/** Props of {@linkcode DocsPage}. */
export interface DocsPageProps {
  /** Where the OpenAPI document is served (`/openapi.json`). */
  specUrl: string;
  /** The Swagger UI version the page runs, for its footnote. */
  swaggerUiVersion: string;
}

/**
 * `/docs`: the API reference, Swagger UI over the server's own OpenAPI document. The server
 * renders the frame and a pointer to the raw document, so the page says what it is before its
 * script has run (and without one).
 */
export function DocsPage({ specUrl, swaggerUiVersion }: DocsPageProps) {
  return (
    <Layout active="docs" crumbs={[{ label: "API reference" }]}>
      <div class="page-head">
        <h1>API reference</h1>
      </div>
      <p class="muted">
        The tracking API as this server implements it: every path also answers under{" "}
        <code>/ajax-api/2.0/</code>. The document itself is <a href={specUrl}>{specUrl}</a>{" "}
        (OpenAPI 3.1); generate a client from it, or try a call below (it runs as you).
      </p>
      <div id="api-docs" class="api-docs" data-spec={specUrl}>
        <noscript>Swagger UI needs JavaScript; the document is at {specUrl}.</noscript>
      </div>
      <p class="muted api-docs__foot">Rendered by Swagger UI {swaggerUiVersion}, served offline.</p>
    </Layout>
  );
}
