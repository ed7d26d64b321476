/**
 * `deno task openapi`: (re)writes `openapi.yaml` at the repository root from the route specs.
 * `tests/openapi_test.ts` fails when the committed file drifts from them.
 *
 * @module
 */
import { stringify } from "yaml";
import { createApp } from "./mod.ts";
import { buildOpenApiDocument } from "./openapi_document.ts";

export { buildOpenApiDocument, OPENAPI_CONFIG } from "./openapi_document.ts";

/** The YAML text of the document, exactly as committed. */
export function renderOpenApiYaml(): string {
  // Building the document only reads route specs; no handler runs, so no store is needed. Auth
  // is on so the user, permission and token routes (served only with auth) are documented.
  const app = createApp({
    store: {} as never,
    auth: { store: {} as never, defaultPermission: "READ" },
  });
  return stringify(buildOpenApiDocument(app), { lineWidth: 0 });
}

if (import.meta.main) {
  const target = new URL("../openapi.yaml", import.meta.url);
  await Deno.writeTextFile(target, renderOpenApiYaml());
  console.log(`wrote ${target.pathname}`);
}
