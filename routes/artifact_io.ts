/**
 * Artifact bytes over HTTP, shared by the proxy and the run routes: request bodies in (streamed,
 * with their declared length), listings ordered, and downloads out — a streamed attachment with a
 * guessed type, `nosniff`, and single byte ranges (206 / 416).
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { withIdleTimeout } from "../artifacts/_streams.ts";
import type { ArtifactRepository, ByteRange, FileInfo } from "../artifacts/types.ts";
import { MlflowError } from "../store/errors.ts";
import { bodyIdleMessage } from "./decode.ts";
import { errorResponse } from "./errors.ts";
import type { Counter } from "./monitoring/registry.ts";

/**
 * The request body as a stream (an empty one when there is none) and its declared length. Reading
 * it fails with a 408 (rendered by `onError`) once it goes `bodyIdleTimeoutMs` without a byte.
 */
export function uploadBody(c: Context): {
  body: ReadableStream<Uint8Array>;
  contentLength: number | undefined;
} {
  const header = c.req.header("content-length");
  const idleMs: number = c.var.bodyIdleTimeoutMs;
  const body = c.req.raw.body;
  return {
    body: body === null ? new Blob([]).stream() : counted(
      withIdleTimeout(
        body,
        idleMs,
        () => new HTTPException(408, { message: bodyIdleMessage(idleMs) }),
      ),
      c.var.metrics?.artifactBytesIn,
    ),
    contentLength: header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined,
  };
}

/**
 * `body` with each chunk's bytes added to `counter` as it passes (Prometheus' artifact bytes),
 * never buffered; `body` itself when metrics are off.
 */
function counted(
  body: ReadableStream<Uint8Array>,
  counter: Counter | undefined,
): ReadableStream<Uint8Array> {
  if (counter === undefined) return body;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        counter.inc([], chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

/** Entries by path, as MLflow sorts its listings. */
export function sortByPath(files: FileInfo[]): FileInfo[] {
  return files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

const TEXT = "text/plain";

/**
 * Content types by lower-case extension. Text formats are `text/plain` (as MLflow serves them, so a
 * browser never renders markup from an artifact); every download is an attachment anyway.
 */
const CONTENT_TYPES: Record<string, string> = {
  txt: TEXT,
  log: TEXT,
  md: TEXT,
  py: TEXT,
  yaml: TEXT,
  yml: TEXT,
  toml: TEXT,
  ini: TEXT,
  cfg: TEXT,
  json: "application/json",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  html: "text/html",
  htm: "text/html",
  xml: "application/xml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
};

/** Files without an extension that MLflow writes as text. */
const TEXT_NAMES = new Set(["MLmodel", "MLproject", "requirements.txt"]);

/** The last segment of a relative path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** A guess from the file name; `application/octet-stream` when unknown. */
export function guessContentType(name: string): string {
  if (TEXT_NAMES.has(name)) return TEXT;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/**
 * `attachment; filename="…"`, quoting `"` and `\`; a non-ASCII name gets an ASCII fallback plus
 * RFC 5987's `filename*=UTF-8''…`.
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "\\$&");
  const header = `attachment; filename="${fallback}"`;
  if (/^[\x20-\x7e]*$/.test(name)) return header;
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${header}; filename*=UTF-8''${encoded}`;
}

/** A parsed `Range: bytes=…` with one range: `a-b`, `a-` or the suffix form `-n`. */
type RangeSpec = { start: number; end?: number } | { suffix: number };

/**
 * Parses a single byte range. Anything else (other units, several ranges, garbage) is ignored, as
 * RFC 9110 allows, and the whole file is sent.
 */
export function parseRange(header: string | undefined): RangeSpec | undefined {
  const m = header === undefined ? null : /^\s*bytes=(\d*)-(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === "" ? undefined : Number(m[2]);
  return end !== undefined && end < start ? undefined : { start, end };
}

/** The inclusive range to serve from a file of `size` bytes, or null when unsatisfiable. */
export function resolveRange(spec: RangeSpec, size: number): Required<ByteRange> | null {
  if ("suffix" in spec) {
    return spec.suffix === 0 || size === 0
      ? null
      : { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.start >= size) return null;
  return { start: spec.start, end: Math.min(spec.end ?? size - 1, size - 1) };
}

function missing(path: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `No artifact file at "${path}"`);
}

/**
 * The CSP of an HTML artifact shown in the run page's frame (`/get-artifact?preview=html`):
 * `sandbox` without `allow-scripts` or `allow-same-origin`, so its scripts never run and its
 * origin is opaque (no cookies, no reaching the parent); nothing is fetched (`default-src
 * 'none'`) but inline styles and `data:` images, which sklearn's `estimator.html` needs to look
 * right and which cannot leave the frame; only this origin's pages may frame it.
 */
export const HTML_PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'";

/** How {@linkcode sendArtifact} serves the file. */
export interface SendOptions {
  /** An HTML file inline, for a sandboxed frame ({@linkcode HTML_PREVIEW_CSP}). */
  htmlPreview?: boolean;
}

/**
 * The {@linkcode SendOptions} of a download's `preview` query value; `preview=html` on a file that
 * is not `.html` / `.htm` is refused (`INVALID_PARAMETER_VALUE`), so nothing else is ever inline.
 */
export function previewOptions(preview: "html" | undefined, path: string): SendOptions {
  if (preview === undefined) return {};
  if (!/\.html?$/i.test(path)) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `preview=html is only for .html and .htm files, not "${baseName(path)}"`,
    );
  }
  return { htmlPreview: true };
}

function downloadHeaders(
  path: string,
  length: number,
  opts: SendOptions = {},
): Record<string, string> {
  const name = baseName(path);
  return {
    "Content-Type": opts.htmlPreview ? "text/html; charset=utf-8" : guessContentType(name),
    "Content-Length": String(length),
    "Content-Disposition": opts.htmlPreview
      ? contentDisposition(name).replace(/^attachment/, "inline")
      : contentDisposition(name),
    "X-Content-Type-Options": "nosniff",
    // Defence in depth should a browser ever render one inline: no scripts, no subresources.
    "Content-Security-Policy": opts.htmlPreview ? HTML_PREVIEW_CSP : "default-src 'none'; sandbox",
    "Accept-Ranges": "bytes",
  };
}

/**
 * Streams the file at a validated repository path. A missing path or a directory is 404
 * `RESOURCE_DOES_NOT_EXIST`; a satisfiable `Range` is 206, an unsatisfiable one 416.
 */
export async function sendArtifact(
  c: Context,
  repo: ArtifactRepository,
  path: string,
  opts: SendOptions = {},
): Promise<Response> {
  const spec = parseRange(c.req.header("range"));
  if (spec === undefined) {
    const whole = await repo.get(path);
    if (whole === null) throw missing(path);
    return c.body(
      counted(whole.body, c.var.metrics?.artifactBytesOut),
      200,
      downloadHeaders(path, whole.size, opts),
    );
  }
  // Resolve the range against the size first, so only the bytes served are ever opened.
  const whole = await repo.stat(path);
  if (whole === null) throw missing(path);
  const range = resolveRange(spec, whole.size);
  if (range === null) {
    c.header("Content-Range", `bytes */${whole.size}`);
    return errorResponse(
      c,
      416,
      "INVALID_PARAMETER_VALUE",
      `Range "${c.req.header("range")}" is not satisfiable for a file of ${whole.size} bytes`,
    );
  }
  const part = await repo.get(path, range);
  if (part === null) throw missing(path);
  const { start, end } = part.range ?? range;
  return c.body(counted(part.body, c.var.metrics?.artifactBytesOut), 206, {
    ...downloadHeaders(path, end - start + 1, opts),
    "Content-Range": `bytes ${start}-${end}/${part.size}`,
  });
}
