/**
 * Helpers of the model pages (`/models`, `/models/:name`, `/logged-models/:id`) and the run page's
 * "Logged models" section: URLs for any registered-model name, the search box's filter, and which
 * logged model a registered version comes from. Pure functions; no I/O.
 *
 * @module
 */
/**
 * The page of a registered model. Names may hold any character but control characters and
 * percent-escapes (spaces, `/`, `?`, `#`, quotes…), so the whole name is one encoded segment; the
 * route `/models/:name{.+}` takes it back, decoded.
 *
 * @example
 * ```ts
 * registeredModelHref("team/churn v2"); // "/models/team%2Fchurn%20v2"
 * registeredModelHref("churn", "3");    // "/models/churn#version-3"
 * ```
 */
export function registeredModelHref(name: string, version?: string): string {
  const base = `/models/${encodeURIComponent(name)}`;
  return version === undefined ? base : `${base}#${versionAnchor(version)}`;
}

/**
 * The page of one version of a registered model. The version route wins over a model name that
 * ends in `/versions/<n>` written with raw slashes; the encoded name (what every kvflow link
 * sends) is unambiguous.
 *
 * @example
 * ```ts
 * modelVersionHref("team/churn", "3"); // "/models/team%2Fchurn/versions/3"
 * ```
 */
export function modelVersionHref(name: string, version: string): string {
  return `${registeredModelHref(name)}/versions/${encodeURIComponent(version)}`;
}

/** The `id` of a version's row on its registered model's page. */
export function versionAnchor(version: string): string {
  return `version-${version}`;
}

/** The page of a logged model. */
export function loggedModelHref(modelId: string): string {
  return `/logged-models/${encodeURIComponent(modelId)}`;
}

/** The page of a run. */
export function runHref(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

/**
 * The models list URL for a search and page, so the links of the pager and a reload keep the view.
 *
 * @example
 * ```ts
 * modelsHref("churn");         // "/models?q=churn"
 * modelsHref("", "tok");       // "/models?page_token=tok"
 * modelsHref("");              // "/models"
 * ```
 */
export function modelsHref(query: string, pageToken?: string): string {
  const qs = new URLSearchParams();
  if (query.trim()) qs.set("q", query.trim());
  if (pageToken) qs.set("page_token", pageToken);
  return qs.size ? `/models?${qs}` : "/models";
}

/**
 * A query in the registered-models filter grammar: a comparison (`=`, `!=`; the registry has no
 * `<` or `>`) or `LIKE '…'`. Anything else is a name to look for, `<` and `>` included.
 */
const MODEL_GRAMMAR = /=|\bi?like\s+['"]/i;

/**
 * The registered-models filter for what a user typed in the search box: plain words are a
 * case-insensitive substring of the name (`name ILIKE '%…%'`); text already in the filter grammar
 * (`tags.team = 'nlp'`, `name LIKE 'prod-%'`) passes through.
 *
 * @example
 * ```ts
 * toModelFilter("churn");   // "name ILIKE '%churn%'"
 * toModelFilter("o'hara");  // "name ILIKE '%o''hara%'"
 * toModelFilter("a<b");     // "name ILIKE '%a<b%'"
 * toModelFilter("tags.t = 'x'"); // "tags.t = 'x'"
 * ```
 */
export function toModelFilter(query: string): string {
  const q = query.trim();
  if (q === "" || MODEL_GRAMMAR.test(q)) return q;
  return `name ILIKE ${filterLiteral(`%${q}%`)}`;
}

/** A string as a single-quoted filter literal (`'` doubled). */
export function filterLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const MODELS_URI = /^models:\/(m-[0-9a-f]{32})(?:\/|$)/;

/**
 * The logged model a registered version was made from: its `model_id` when the client sent one,
 * else the id in a `models:/m-…` source (what MLflow 3's `register_model("models:/<id>")` sends);
 * `undefined` for versions registered from a run path or elsewhere.
 *
 * @example
 * ```ts
 * loggedModelIdOf({ source: "models:/m-0123456789abcdef0123456789abcdef" });
 * // "m-0123456789abcdef0123456789abcdef"
 * loggedModelIdOf({ source: "runs:/abc/model" }); // undefined
 * ```
 */
export function loggedModelIdOf(
  version: { model_id?: string; source: string },
): string | undefined {
  return version.model_id || MODELS_URI.exec(version.source)?.[1];
}

/**
 * Whether a registered version points at the logged model `model`: by `model_id`, by a
 * `models:/<id>` source, or by a source inside the model's artifact root.
 */
export function versionPointsAt(
  version: { model_id?: string; source: string },
  model: { model_id: string; artifact_uri: string },
): boolean {
  if (loggedModelIdOf(version) === model.model_id) return true;
  const root = model.artifact_uri.replace(/\/+$/, "");
  return root !== "" && (version.source === root || version.source.startsWith(`${root}/`));
}

/**
 * The download URL prefix of a proxied artifact root's repository path (`1/models/m-…/artifacts`
 * → `/api/2.0/mlflow-artifacts/artifacts/1/models/m-…/artifacts`), each segment encoded.
 */
export function proxyDownloadBase(repoPath: string): string {
  const segments = repoPath.split("/").filter((s) => s !== "").map(encodeURIComponent);
  return ["/api/2.0/mlflow-artifacts/artifacts", ...segments].join("/");
}

/**
 * A one-line, plain-text excerpt of a Markdown description: heading marks, fences, `**`, `__`,
 * backticks and list bullets dropped, links reduced to their text, whitespace collapsed, cut at
 * `max` characters (code points).
 *
 * @example
 * ```ts
 * excerpt("## Churn\n\nPredicts **churn**. [docs](https://x)"); // "Churn Predicts churn. docs"
 * ```
 */
export function excerpt(text: string | undefined, max = 120): string {
  const plain = (text ?? "")
    .replace(/^[ \t]{0,3}(#{1,6}[ \t]+|[-*+][ \t]+|```.*$)/gm, "")
    .replace(/\[([^\]\n]*)\]\([^)\n]*\)/g, "$1")
    .replace(/\*\*|__|`/g, "");
  const chars = [...plain.replace(/\s+/g, " ").trim()];
  if (chars.length <= max) return chars.join("");
  return `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/** Something "Register model" can register, with the body MLflow's client would send. */
export interface RegisterSourceOption {
  label: string;
  source: string;
  runId?: string;
  modelId?: string;
}

/**
 * What a run offers to "Register model": its logged models (`models:/<id>`, as MLflow 3's
 * `register_model` sends, with the model's source run), then each artifact path its
 * `mlflow.log-model.history` tag names (MLflow 2's `log_model`), as the run's artifact URI plus
 * the path — what the client sends for `runs:/<run_id>/<path>` once it has resolved the URI.
 *
 * @example
 * ```ts
 * registerSources({ run_id: "r", artifact_uri: "mlflow-artifacts:/1/r/artifacts" }, [],
 *   '[{"artifact_path": "model"}]');
 * // [{ label: "model (artifact path)", source: "mlflow-artifacts:/1/r/artifacts/model", runId: "r" }]
 * ```
 */
export function registerSources(
  run: { run_id: string; artifact_uri: string },
  loggedModels: { model_id: string; name: string; source_run_id?: string }[],
  history: string | undefined,
): RegisterSourceOption[] {
  const out: RegisterSourceOption[] = loggedModels.map((m) => ({
    label: `${m.name} (logged model)`,
    source: `models:/${m.model_id}`,
    runId: m.source_run_id || undefined,
    modelId: m.model_id,
  }));
  const root = run.artifact_uri.replace(/\/+$/, "");
  const seen = new Set<string>();
  for (const path of historyPaths(history)) {
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ label: `${path} (artifact path)`, source: `${root}/${path}`, runId: run.run_id });
  }
  return out;
}

/** The `artifact_path`s of a `mlflow.log-model.history` tag (a JSON list); [] when unreadable. */
function historyPaths(history: string | undefined): string[] {
  if (!history) return [];
  try {
    const list: unknown = JSON.parse(history);
    if (!Array.isArray(list)) return [];
    return list.flatMap((e) => {
      const p = (e as { artifact_path?: unknown } | null)?.artifact_path;
      return typeof p === "string" && p.replace(/^\/+|\/+$/g, "") !== ""
        ? [p.replace(/^\/+|\/+$/g, "")]
        : [];
    });
  } catch {
    return [];
  }
}
