/**
 * `deno task openapi`: (re)writes `openapi.yaml` at the repository root from the route specs, then
 * the TypeScript client's types from it (`routes/client/openapi_types.ts`, by openapi-typescript).
 * `tests/openapi_test.ts` and `tests/openapi_client_test.ts` fail when either committed file
 * drifts.
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

/** The generator of the client's types, pinned: its output is committed and drift-tested. */
export const OPENAPI_TYPESCRIPT = "npm:openapi-typescript@7.13.0";

/** The client's generated types, committed beside the client. */
export const CLIENT_TYPES: URL = new URL("./client/openapi_types.ts", import.meta.url);

/**
 * Runs openapi-typescript on `openapi.yaml` into `output` (`--no-lock`: a generator, not a
 * dependency of the app, so it stays out of deno.lock).
 *
 * @throws {Error} with the generator's output when it fails.
 */
export async function generateClientTypes(output: URL = CLIENT_TYPES): Promise<void> {
  const root = new URL("../", import.meta.url);
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", OPENAPI_TYPESCRIPT, "openapi.yaml", "-o", output.pathname],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) {
    const dec = new TextDecoder();
    throw new Error(`openapi-typescript failed:\n${dec.decode(stdout)}${dec.decode(stderr)}`);
  }
}

if (import.meta.main) {
  const target = new URL("../openapi.yaml", import.meta.url);
  await Deno.writeTextFile(target, renderOpenApiYaml());
  console.log(`wrote ${target.pathname}`);
  await generateClientTypes();
  console.log(`wrote ${CLIENT_TYPES.pathname}`);
}
