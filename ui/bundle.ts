/**
 * Builds the island bundle: `deno bundle --platform browser --minify` of `ui/islands/client.ts`
 * into `ui/static/dist/client.js`, and copies Swagger UI's files beside it (docs_assets.ts). `deno task build` (the build command for Deno Deploy) and
 * `deno task bundle` run this file; the UI also calls {@linkcode ensureBundle} on its first
 * request, so `deno task start` and the tests need no separate step. Deno Deploy cannot spawn
 * processes or write files: there the build step must make the file, which ships with the
 * deployment (without it UI routes answer a 503 page, see ui/unavailable.ts).
 *
 * @example
 * ```sh
 * deno task build   # → ui/static/dist/client.js  41.2 KB (15.9 KB gzipped)
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { copyDocsAssets, ensureDocsAssets } from "./docs_assets.ts";

/** The browser entry. */
export const BUNDLE_ENTRY: URL = new URL("./islands/client.ts", import.meta.url);
/** The build output (gitignored). */
export const BUNDLE_OUTPUT: URL = new URL("./static/dist/client.js", import.meta.url);
/** Folders whose files end up in the bundle; a newer file there makes the bundle stale. */
export const BUNDLE_SOURCES: readonly URL[] = [
  new URL("./islands/", import.meta.url),
  new URL("./components/", import.meta.url),
  new URL("./shared/", import.meta.url),
];
const REPO_ROOT = new URL("../", import.meta.url);

/**
 * Runs `deno bundle` (the running Deno binary, from the repository root so deno.json applies)
 * into a temporary file beside the output, then renames it into place: a concurrent reader (or a
 * second process building at the same time) never sees half a file.
 *
 * @throws {Error} with deno's output when the build fails, or when processes cannot be spawned
 *   (Deno Deploy).
 */
export async function buildBundle(output: URL = BUNDLE_OUTPUT): Promise<void> {
  const out = fileURLToPath(output);
  await Deno.mkdir(new URL("./", output), { recursive: true });
  const tmp = `${out}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "-o",
      tmp,
      fileURLToPath(BUNDLE_ENTRY),
    ],
    cwd: fileURLToPath(REPO_ROOT),
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
  }
  await Deno.rename(tmp, out);
}

/** Newest modification time (ms) of any file under `dir`; 0 if none or unknown. */
async function newestMtime(dir: URL): Promise<number> {
  let newest = 0;
  try {
    for await (const entry of Deno.readDir(dir)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      const t = entry.isDirectory
        ? await newestMtime(url)
        : (await Deno.stat(url)).mtime?.getTime() ?? 0;
      newest = Math.max(newest, t);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return newest;
}

/** Whether the bundle is missing or older than a file it is built from. */
export async function bundleIsStale(output: URL = BUNDLE_OUTPUT): Promise<boolean> {
  let built: number;
  try {
    built = (await Deno.stat(output)).mtime?.getTime() ?? 0;
  } catch (err) {
    // A file where its folder should be is missing too (ensureBundle then fails to build it).
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return true;
    }
    throw err;
  }
  const sources = await Promise.all(BUNDLE_SOURCES.map(newestMtime));
  return Math.max(...sources) > built;
}

/**
 * Makes sure a current bundle exists: builds it when missing or stale. If a rebuild fails but an
 * older bundle exists (a read-only or process-less host such as Deno Deploy), keeps the old one
 * and warns. Then makes sure Swagger UI's files are beside it (docs_assets.ts).
 *
 * @throws {Error} when there is no bundle and none can be built, or Swagger UI's files are
 * missing and cannot be copied.
 */
export async function ensureBundle(output: URL = BUNDLE_OUTPUT): Promise<void> {
  await ensureBuiltBundle(output);
  try {
    await ensureDocsAssets(new URL("./", output));
  } catch (err) {
    throw new Error(
      `kvflow: the API reference's files are missing beside ${fileURLToPath(output)} and could ` +
        `not be copied (run \`deno task build\`): ${err instanceof Error ? err.message : err}`,
    );
  }
}

/** The bundle half of {@linkcode ensureBundle}. */
async function ensureBuiltBundle(output: URL): Promise<void> {
  if (!(await bundleIsStale(output))) return;
  try {
    await buildBundle(output);
  } catch (err) {
    const exists = await Deno.stat(output).then(() => true, () => false);
    if (!exists) {
      throw new Error(
        `kvflow: the UI bundle ${fileURLToPath(output)} is missing and could not be built ` +
          `(run \`deno task build\`): ${err instanceof Error ? err.message : err}`,
      );
    }
    console.warn(`kvflow: serving an older UI bundle; rebuilding it failed: ${err}`);
  }
}

if (import.meta.main) {
  const started = performance.now();
  await buildBundle();
  // The API reference page's Swagger UI files, beside the bundle (see docs_assets.ts).
  await copyDocsAssets(new URL("./", BUNDLE_OUTPUT));
  const bytes = await Deno.readFile(BUNDLE_OUTPUT);
  const gz = await new Response(
    new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `${fileURLToPath(BUNDLE_OUTPUT)}  ${kb(bytes.length)} (${kb(gz.byteLength)} gzipped) in ${
      Math.round(performance.now() - started)
    } ms`,
  );
}
