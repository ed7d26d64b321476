import { useEffect, useState } from "preact/hooks";
import { errorMessage } from "./api.ts";
import {
  type ArtifactFile,
  artifactHtmlPreviewUrl,
  artifactUrl,
  listArtifacts,
  listLoggedModelArtifacts,
  loggedModelArtifactUrl,
} from "./run_page/api.ts";
import { parseCsv } from "../shared/csv.ts";
import { type MlModelView, readMlModel, runModelUri } from "./artifacts/mlmodel.ts";
import { MlModelPreview } from "./artifacts/MlModelPreview.tsx";
import { CsvPreview } from "./artifacts/CsvPreview.tsx";
import { HtmlPreview } from "./artifacts/HtmlPreview.tsx";

/**
 * Props of {@linkcode ArtifactBrowser}: a run's artifacts, or a logged model's files (listed by
 * `logged-models/{id}/artifacts/directories`, downloaded through the artifact proxy under
 * `downloadBase`, which the server derives from the model's `mlflow-artifacts:/…` root).
 */
export type ArtifactBrowserProps =
  & ({ runId: string } | { loggedModel: { modelId: string; downloadBase: string } })
  & {
    /**
     * A file to select (its folders opened) or a folder to open on load: the page's `?artifact=`,
     * which the browser keeps in step with the selection so a reload or a shared link shows it.
     */
    path?: string;
  };

/** Where the browser lists folders and downloads files. */
interface ArtifactSource {
  /** Identifies the source, so a change of props reloads the tree. */
  key: string;
  list(path: string): Promise<{ files?: ArtifactFile[] }>;
  url(path: string): string;
  /** The inline, sandboxed URL of an HTML file; absent where the server has none. */
  htmlUrl?(path: string): string;
  /** How MLflow loads a model whose MLmodel is at `path` (`runs:/…`, `models:/…`). */
  modelUri(path: string): string;
}

function sourceOf(props: ArtifactBrowserProps): ArtifactSource {
  if ("runId" in props) {
    const { runId } = props;
    return {
      key: `run:${runId}`,
      list: (path) => listArtifacts(runId, path),
      url: (path) => artifactUrl(runId, path),
      htmlUrl: (path) => artifactHtmlPreviewUrl(runId, path),
      modelUri: (path) => runModelUri(runId, path),
    };
  }
  const { modelId, downloadBase } = props.loggedModel;
  return {
    key: `model:${modelId}`,
    list: (path) => listLoggedModelArtifacts(modelId, path),
    url: (path) => loggedModelArtifactUrl(downloadBase, path),
    htmlUrl: (path) => `${loggedModelArtifactUrl(downloadBase, path)}?preview=html`,
    modelUri: () => `models:/${modelId}`,
  };
}

/** How much of a text artifact the preview shows. */
export const PREVIEW_BYTES = 100 * 1024;

/** How much of a CSV / TSV artifact is read for its table, and how many rows it shows at most. */
export const CSV_PREVIEW_BYTES = 1024 * 1024;
export const CSV_PREVIEW_ROWS = 500;

const TEXT_EXT = /\.(txt|log|json|jsonl|ya?ml|md|py|toml|ini|cfg|conf|out|err)$/i;
const TEXT_NAMES = /(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml|LICENSE)$/;
/** Raster images only: SVG (and HTML) can carry script, so they are never shown inline. */
const IMAGE_EXT = /\.(png|jpe?g|gif)$/i;

/** What the preview pane does with a file. */
export type PreviewKind = "mlmodel" | "csv" | "tsv" | "html" | "text" | "image" | "none";

/**
 * What the preview pane can do with `path`: an MLmodel rendered, CSV / TSV as a table, HTML in a
 * sandboxed frame (never in this origin), other text as text, raster images as images.
 */
export function previewKind(path: string): PreviewKind {
  if (IMAGE_EXT.test(path)) return "image";
  if (/(^|\/)MLmodel$/.test(path)) return "mlmodel";
  if (/\.csv$/i.test(path)) return "csv";
  if (/\.tsv$/i.test(path)) return "tsv";
  if (/\.html?$/i.test(path)) return "html";
  if (TEXT_EXT.test(path) || TEXT_NAMES.test(path)) return "text";
  return "none";
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function formatSize(n: number | undefined): string {
  if (n === undefined) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Reads at most `limit` bytes of `url` as UTF-8 text. */
async function fetchTextPrefix(
  url: string,
  limit = PREVIEW_BYTES,
): Promise<{ text: string; truncated: boolean }> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`Cannot load the artifact (${res.status})`);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  const text = new TextDecoder().decode(all.subarray(0, limit));
  return { text, truncated };
}

interface Folder {
  files?: ArtifactFile[];
  error?: string;
}

/** A loaded preview: the text, and what was read from it (a table, an MLmodel). */
interface Preview {
  path: string;
  text?: string;
  truncated?: boolean;
  table?: { rows: string[][]; truncated: boolean };
  model?: MlModelView;
  error?: string;
}

/** Reads the file behind `url` for a preview of `kind` (one of the kinds read as text). */
async function loadPreview(
  kind: PreviewKind,
  path: string,
  url: string,
  modelUri: string,
): Promise<Preview> {
  if (kind === "csv" || kind === "tsv") {
    const { text, truncated } = await fetchTextPrefix(url, CSV_PREVIEW_BYTES);
    // Cut by bytes, the last record may be partial: leave it out.
    const body = truncated ? text.slice(0, Math.max(0, text.lastIndexOf("\n"))) : text;
    const table = parseCsv(body, kind === "tsv" ? "\t" : ",", CSV_PREVIEW_ROWS + 1);
    return { path, table: { rows: table.rows, truncated: table.truncated || truncated } };
  }
  const { text, truncated } = await fetchTextPrefix(url);
  if (kind === "mlmodel" && !truncated) {
    try {
      return { path, text, model: readMlModel(text, modelUri) };
    } catch {
      // Not the YAML an MLmodel is usually written in: shown as text.
    }
  }
  return { path, text, truncated };
}

/**
 * A run's artifacts or a logged model's files: a lazily loaded tree (a folder is listed when first
 * opened), a preview of text files (first 100 KB, as escaped text), MLmodel files rendered
 * (flavors, signature tables, how to load), CSV / TSV as a table (first 500 rows), HTML in a
 * sandboxed frame, PNG/JPEG/GIF images, and a download link for everything.
 * HTML, SVG and unknown types are never rendered in this origin.
 */
export function ArtifactBrowser(props: ArtifactBrowserProps) {
  const source = sourceOf(props);
  const [folders, setFolders] = useState<Record<string, Folder>>({});
  const [open, setOpen] = useState<Record<string, boolean>>({ "": true });
  const [selected, setSelected] = useState<ArtifactFile | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);

  async function load(path: string): Promise<ArtifactFile[] | null> {
    try {
      const files = (await source.list(path)).files ?? [];
      setFolders((f) => ({ ...f, [path]: { files } }));
      return files;
    } catch (err) {
      setFolders((f) => ({ ...f, [path]: { error: errorMessage(err) } }));
      return null;
    }
  }

  /** Lists the root, then opens each folder on the way to `target` and selects it if a file. */
  async function reveal(target: string) {
    const parts = target.split("/").filter((p) => p !== "");
    let files = await load("");
    for (let i = 0; i < parts.length && files; i++) {
      const path = parts.slice(0, i + 1).join("/");
      const entry = files.find((f) => f.path === path);
      // Not there (deleted, or a mistyped link): the tree as it is.
      if (!entry) return;
      if (!entry.is_dir) {
        if (i === parts.length - 1) select(entry, false);
        return;
      }
      setOpen((o) => ({ ...o, [path]: true }));
      files = await load(path);
    }
  }

  useEffect(() => {
    reveal(props.path ?? "");
  }, [source.key]);

  function toggle(path: string) {
    const next = !open[path];
    setOpen((o) => ({ ...o, [path]: next }));
    if (next && !folders[path]) load(path);
  }

  async function select(file: ArtifactFile, remember = true) {
    setSelected(file);
    setPreview(null);
    if (remember) {
      const url = new URL(location.href);
      url.searchParams.set("artifact", file.path);
      history.replaceState(history.state, "", url);
    }
    const kind = previewKind(file.path);
    if (kind === "image" || kind === "html" || kind === "none") return;
    try {
      setPreview(
        await loadPreview(kind, file.path, source.url(file.path), source.modelUri(file.path)),
      );
    } catch (err) {
      setPreview({ path: file.path, error: errorMessage(err) });
    }
  }

  function renderFolder(path: string) {
    const folder = folders[path];
    if (!folder) return <li class="muted artifact-tree__loading">Loading…</li>;
    if (folder.error) return <li class="field-error">{folder.error}</li>;
    if (folder.files!.length === 0) return <li class="muted">Empty folder.</li>;
    return folder.files!.map((f) => (
      <li key={f.path}>
        {f.is_dir
          ? (
            <>
              <button
                type="button"
                class="artifact-tree__item artifact-tree__dir"
                aria-expanded={!!open[f.path]}
                onClick={() => toggle(f.path)}
              >
                <span aria-hidden="true">{open[f.path] ? "▾ " : "▸ "}</span>
                {baseName(f.path)}
              </button>
              {open[f.path] && <ul class="artifact-tree">{renderFolder(f.path)}</ul>}
            </>
          )
          : (
            <button
              type="button"
              class="artifact-tree__item"
              aria-current={selected?.path === f.path ? "true" : undefined}
              onClick={() => select(f)}
            >
              {baseName(f.path)}
            </button>
          )}
      </li>
    ));
  }

  // Until the top folder is known to hold files, one line, not an empty two-pane box.
  const root = folders[""];
  if (!root) return <p class="muted artifacts__status">Loading artifacts…</p>;
  if (root.error) return <p class="field-error artifacts__status">{root.error}</p>;
  if (root.files!.length === 0) return <p class="muted artifacts__status">No artifacts.</p>;

  const kind = selected ? previewKind(selected.path) : "none";
  const readsText = kind === "text" || kind === "mlmodel" || kind === "csv" || kind === "tsv";
  // A slow earlier file's preview never shows under a later selection.
  const shown = preview && preview.path === selected?.path ? preview : null;
  return (
    <div class="artifacts">
      <nav class="artifacts__tree" aria-label="Artifact files">
        <ul class="artifact-tree">{renderFolder("")}</ul>
      </nav>
      <div class="artifacts__preview" aria-live="polite">
        {!selected && <p class="muted">Select a file to preview it.</p>}
        {selected && (
          <>
            <div class="section-head">
              <h3 class="mono artifacts__path">{selected.path}</h3>
              <span class="muted">{formatSize(selected.file_size)}</span>
              <a
                class="button button--small"
                href={source.url(selected.path)}
                download={baseName(selected.path)}
              >
                Download
              </a>
            </div>
            {kind === "image" && (
              <img
                class="artifacts__image"
                src={source.url(selected.path)}
                alt={selected.path}
              />
            )}
            {kind === "html" && source.htmlUrl && (
              <HtmlPreview src={source.htmlUrl(selected.path)} path={selected.path} />
            )}
            {readsText && !shown && <p class="muted">Loading…</p>}
            {readsText && shown?.error && <p class="field-error">{shown.error}</p>}
            {shown?.model && shown.text !== undefined && (
              <MlModelPreview view={shown.model} text={shown.text} />
            )}
            {shown?.table && <CsvPreview {...shown.table} />}
            {!shown?.model && shown?.text !== undefined && (
              <>
                <pre class="artifacts__text">{shown.text}</pre>
                {shown.truncated && (
                  <p class="muted">Showing the first 100 KB. Download for the whole file.</p>
                )}
              </>
            )}
            {(kind === "none" || (kind === "html" && !source.htmlUrl)) && (
              <p class="muted">No preview for this file type. Use Download to open it.</p>
            )}
          </>
        )}
      </div>
    </div>
  );
}
