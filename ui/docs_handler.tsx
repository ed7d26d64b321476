/**
 * `GET /docs`: the API reference page (Swagger UI over `/openapi.json`), with its third-party
 * files served from this server (ui/docs_assets.ts) under the UI's CSP.
 *
 * @module
 */
import type { Handler } from "hono";
import { SWAGGER_UI_VERSION } from "./docs_assets.ts";
import { DocsPage } from "./pages/DocsPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";

/** Renders the API reference page. */
export const docsPage: Handler<UiEnv> = (c) =>
  renderPage(c, <DocsPage specUrl="/openapi.json" swaggerUiVersion={SWAGGER_UI_VERSION} />, {
    title: "API reference",
    assets: ["swagger-ui.css", "swagger-ui-bundle.js", "docs.js"],
  });
