/**
 * The API reference page's third-party files: Swagger UI's browser bundle and stylesheet
 * (npm `swagger-ui-dist`), copied beside the island bundle in `ui/static/dist/` by the build, so
 * the page works offline and a deployment serves them from memory like every other asset.
 *
 * @module
 */
// Imported so that Deno installs the package with the rest (its files are read, not imported).
import swaggerUi from "swagger-ui-dist/package.json" with { type: "json" };

/** The files copied, with the types they are served with. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

/** The Swagger UI version served (for the page's footer). */
export const SWAGGER_UI_VERSION: string = swaggerUi.version;

/** Copies {@linkcode DOCS_ASSETS} from the installed package into `dir`, each replaced whole. */
export async function copyDocsAssets(dir: URL): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const name of Object.keys(DOCS_ASSETS)) {
    const from = new URL(import.meta.resolve(`swagger-ui-dist/${name}`));
    const to = new URL(name, dir);
    const tmp = new URL(`${name}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`, dir);
    await Deno.copyFile(from, tmp);
    await Deno.rename(tmp, to);
  }
}

/**
 * Copies the files into `dir` when one is missing (a fresh checkout's first start: the build,
 * `deno task build`, copies them too, as Deno Deploy needs).
 *
 * @throws {Error} when a file is missing and cannot be copied.
 */
export async function ensureDocsAssets(dir: URL): Promise<void> {
  const present = await Promise.all(
    Object.keys(DOCS_ASSETS).map((name) =>
      Deno.stat(new URL(name, dir)).then(() => true, () => false)
    ),
  );
  if (present.every(Boolean)) return;
  await copyDocsAssets(dir);
}
