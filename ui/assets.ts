/**
 * The UI's static files: `ui/static/` plus the island bundle, loaded once per app into memory
 * with a content hash each. Pages link the hashed names (`/static/styles.3f9a1c2b7d.css`), which
 * are served with a one-year `immutable` cache; the plain names (`/static/styles.css`) are served
 * with `no-cache` and an ETag. A new deploy changes the hash, so browsers never mix old and new.
 *
 * @module
 */
import { logError } from "../routes/log.ts";
import { BUNDLE_OUTPUT, ensureBundle } from "./bundle.ts";
import { DOCS_ASSETS } from "./docs_assets.ts";

/** One servable file. */
export interface StaticAsset {
  /** Plain name, e.g. `styles.css`. */
  name: string;
  /** Hashed name, e.g. `styles.3f9a1c2b7d.css`. */
  hashedName: string;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  /** The body gzipped once at load, for clients that accept it (text types only). */
  gzip?: Uint8Array<ArrayBuffer>;
  /** Strong ETag (the quoted hash); the gzip variant's is `"<hash>.gz"`. */
  etag: string;
}

/** The loaded files, by plain and by hashed name. */
export interface AssetTable {
  /** Plain name → asset. */
  byName: Map<string, StaticAsset>;
  /** Plain or hashed name → asset, and whether the name was the hashed one. */
  lookup(file: string): { asset: StaticAsset; immutable: boolean } | undefined;
  /** `/static/<hashed name>`, for links in pages. Throws on an unknown name (a typo in a page). */
  url(name: string): string;
}

/** The files under `ui/static/` that are served, with their types. Anything else is 404. */
const FILES: Record<string, string> = {
  "styles.css": "text/css; charset=utf-8",
  "favicon.svg": "image/svg+xml",
  // Starts Swagger UI on the API reference page (a file: the CSP allows no inline script).
  "docs.js": "text/javascript; charset=utf-8",
};
/** The bundle's public name. */
export const CLIENT_JS = "client.js";
const STATIC_DIR = new URL("./static/", import.meta.url);

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function makeAsset(
  name: string,
  contentType: string,
  body: Uint8Array<ArrayBuffer>,
): Promise<StaticAsset> {
  const hash = (await sha256Hex(body)).slice(0, 10);
  const dot = name.lastIndexOf(".");
  return {
    name,
    hashedName: `${name.slice(0, dot)}.${hash}${name.slice(dot)}`,
    contentType,
    body,
    gzip: /^text\/|svg/.test(contentType) ? await gzip(body) : undefined,
    etag: `"${hash}"`,
  };
}

/**
 * Reads the static files and the bundle at `bundleOutput` (building the bundle first when missing
 * or stale, see {@linkcode ensureBundle}).
 *
 * @throws {Error} when a file is missing and the bundle cannot be built.
 */
export async function loadAssets(bundleOutput: URL = BUNDLE_OUTPUT): Promise<AssetTable> {
  await ensureBundle(bundleOutput);
  const assets = await Promise.all([
    ...Object.entries(FILES).map(async ([name, type]) =>
      makeAsset(name, type, await Deno.readFile(new URL(name, STATIC_DIR)))
    ),
    makeAsset(CLIENT_JS, "text/javascript; charset=utf-8", await Deno.readFile(bundleOutput)),
    // Swagger UI's files, copied beside the bundle by the build (docs_assets.ts).
    ...Object.entries(DOCS_ASSETS).map(async ([name, type]) =>
      makeAsset(name, type, await Deno.readFile(new URL(name, bundleOutput)))
    ),
  ]);
  const byName = new Map(assets.map((a) => [a.name, a]));
  const byHashed = new Map(assets.map((a) => [a.hashedName, a]));
  return {
    byName,
    lookup(file) {
      const hashed = byHashed.get(file);
      if (hashed) return { asset: hashed, immutable: true };
      const plain = byName.get(file);
      return plain && { asset: plain, immutable: false };
    },
    url(name) {
      const asset = byName.get(name);
      if (!asset) throw new Error(`Unknown static asset "${name}"`);
      return `/static/${asset.hashedName}`;
    },
  };
}

/**
 * How long a failed load of the UI's files stands before a request tries again. Building the
 * bundle spawns `deno bundle` (seconds of CPU); where it cannot work (Deno Deploy, a read-only
 * disk) retrying on every request would only burn time, so pages answer the 503 page from memory
 * in between.
 */
export const ASSET_RETRY_INTERVAL_MS = 30_000;

/**
 * The UI's files could not be loaded (the bundle is missing and cannot be built): UI routes
 * answer the 503 page (ui/unavailable.ts); the API is not affected. The load's error is `cause`.
 */
export class UiUnavailableError extends Error {
  constructor(cause: unknown) {
    super("The web UI's files could not be loaded (run `deno task build`)", { cause });
    this.name = "UiUnavailableError";
  }
}

/**
 * The app's asset table, loaded on first call. A failed load throws
 * {@linkcode UiUnavailableError}, the same one, to every call for
 * {@linkcode ASSET_RETRY_INTERVAL_MS}; the next call after that tries again.
 */
export type AssetLoader = () => Promise<AssetTable>;

/** Options of {@linkcode createAssetLoader}; tests point them elsewhere. */
export interface AssetLoaderOptions {
  /** Where the bundle is (and is built); default {@linkcode BUNDLE_OUTPUT}. */
  bundleOutput?: URL;
  /** Default {@linkcode ASSET_RETRY_INTERVAL_MS}. */
  retryIntervalMs?: number;
  /** Milliseconds now; default `Date.now`. */
  now?: () => number;
}

/**
 * One lazily loaded asset table, shared by everything in one app that renders a page (the UI's
 * routes, and the login page the auth middleware answers anonymous browsers with). Each failed
 * load is logged once, with its cause.
 */
export function createAssetLoader(opts: AssetLoaderOptions = {}): AssetLoader {
  const retryMs = opts.retryIntervalMs ?? ASSET_RETRY_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  let loading: Promise<AssetTable> | undefined;
  let failedAt: number | undefined;
  return () => {
    if (failedAt !== undefined && now() - failedAt >= retryMs) {
      loading = undefined;
      failedAt = undefined;
    }
    loading ??= loadAssets(opts.bundleOutput).catch((err) => {
      failedAt = now();
      logError([
        `the web UI is unavailable (UI routes answer 503, the API is unaffected; next try in ${
          retryMs / 1000
        } s): run \`deno task build\` before starting the server`,
      ], err);
      throw new UiUnavailableError(err);
    });
    return loading;
  };
}
