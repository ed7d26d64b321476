/**
 * Artifact uploads through the server's proxy: where a run's `mlflow-artifacts:` URI puts a file
 * on the wire, the `Content-Type` MLflow's client would send, and local files as streams that never
 * sit whole in memory, in Deno and in Node (a browser uploads `Blob`s and bytes instead).
 *
 * @module
 */

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";

/** Extensions MLflow's client uploads as `text/plain`, then the common types it guesses. */
const CONTENT_TYPES: Record<string, string> = {
  txt: "text/plain",
  log: "text/plain",
  json: "text/plain",
  yaml: "text/plain",
  yml: "text/plain",
  csv: "text/csv",
  html: "text/html",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  pdf: "application/pdf",
};

/** The `Content-Type` for a file named `path`, as MLflow's client guesses it. */
export function guessContentType(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name === "MLmodel") return "text/plain";
  const dot = name.lastIndexOf(".");
  return (dot > 0 && CONTENT_TYPES[name.slice(dot + 1).toLowerCase()]) ||
    "application/octet-stream";
}

/**
 * The proxy URL of `relPath` under a run's `artifactUri`. `mlflow-artifacts:/1/<run>/artifacts`
 * is served by the tracking server itself; `mlflow-artifacts://host:port/…` by that host, over
 * the tracking URI's scheme, as MLflow's client resolves it.
 *
 * @throws {Error} for any other scheme (`s3://`, a local path): those stores are the server's
 *   business, and this client uploads only through the proxy.
 */
export function artifactRequestUrl(trackingUri: string, artifactUri: string, relPath: string) {
  const m = /^mlflow-artifacts:(?:\/\/([^/]+))?(\/.*)?$/.exec(artifactUri);
  if (m === null) {
    throw new Error(
      `cannot upload to ${artifactUri}: this client writes artifacts only through the tracking ` +
        "server's proxy (start the server with artifact proxying, kvflow's default)",
    );
  }
  const base = m[1] === undefined ? trackingUri : `${new URL(trackingUri).protocol}//${m[1]}`;
  const parts = [...(m[2] ?? "").split("/"), ...relPath.split("/")].filter((s) => s !== "");
  if (parts.some((s) => s === "." || s === "..")) {
    throw new Error(`artifact path ${relPath} may not contain '.' or '..' segments`);
  }
  return `${base}${PROXY}/${parts.map(encodeURIComponent).join("/")}`;
}

/** A local file's bytes as a stream, opened now; read lazily as the request sends it. */
export async function openFileStream(path: string): Promise<ReadableStream<Uint8Array>> {
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  if (deno?.open) return (await deno.open(path, { read: true })).readable;
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).process?.versions?.node === undefined) {
    throw new Error(
      `cannot read ${path}: this runtime has no file system; upload bytes or a Blob with logText`,
    );
  }
  // Node: node:fs's openAsBlob would do, but Deno's copy reads the whole file into memory.
  const { createReadStream } = await import("node:fs");
  const { Readable } = await import("node:stream");
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
}

/** One file of a directory upload: its path on disk and under the artifact directory. */
export interface LocalFile {
  localPath: string;
  relPath: string;
}

/** Refuses directory trees larger than this, rather than walking a whole disk by mistake. */
const MAX_FILES = 100_000;

/** Every file under `dir` (recursively, symlinks not followed), paths with `/`, sorted. */
export async function listLocalFiles(dir: string): Promise<LocalFile[]> {
  const { readdir } = await import("node:fs/promises");
  const out: LocalFile[] = [];
  const pending: string[] = [""];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    const entries = await readdir(rel === "" ? dir : `${dir}/${rel}`, { withFileTypes: true });
    for (const e of entries) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) pending.push(child);
      else if (e.isFile()) out.push({ localPath: `${dir}/${child}`, relPath: child });
      if (out.length > MAX_FILES) throw new Error(`${dir} holds more than ${MAX_FILES} files`);
    }
  }
  return out.sort((a, b) => a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0);
}

/** The last segment of a local path (either separator). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, "");
  return trimmed.slice(Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\")) + 1);
}
