/**
 * Validation and resolution of a model version's `source` (mlflow-rest.md §7, §9). MLflow's model
 * registry had a long run of CVEs in which `source` pointed somewhere the server then read or wrote
 * (`file:///etc`, `//proc/…`, `..\`, encoded `..`, `#`/`;`/`?` tricks, an attacker's http server).
 * kvflow only accepts locations it owns, and resolves registry URIs to such a location once, at
 * creation, so `get-download-uri` only ever returns a URI this server handed out.
 *
 * Accepted shapes:
 *
 * - A location inside the artifact directory of the version's run (when `run_id` is given) or of
 *   its logged model (when `model_id` is given), e.g.
 *   `mlflow-artifacts:/1/<run>/artifacts/model`. With neither, any location under this server's
 *   artifact roots (`mlflow-artifacts:/` and the configured roots, e.g. `s3://bucket/prefix`).
 * - `runs:/<run_id>/<path>`: the run's `artifact_uri` + `/<path>`.
 * - `models:/<model_id>` (MLflow 3 logged model): the logged model's `artifact_uri`; the version's
 *   `run_id` defaults to the logged model's `source_run_id`, as MLflow does.
 * - `models:/<name>/<version>` and `models:/<name>@<alias>` (copying a registered version): that
 *   version's download URI.
 *
 * Rejected everywhere, after repeated percent-decoding: `..` and `.` segments, `\`, `#`, `;`, `?`,
 * control characters, empty segments; and as a whole: local paths, `file:`, `http(s):`, any other
 * scheme, and locations outside the allowed directories. Errors are `INVALID_PARAMETER_VALUE`.
 *
 * @module
 */
import { normaliseArtifactPath } from "../../artifacts/path.ts";
import { invalidParam, MlflowError } from "../errors.ts";
import type { LoggedModel } from "../logged_models/types.ts";
import type { Run } from "../types.ts";
import { checkRunId } from "../validation.ts";

/** Longest source accepted (MLflow caps artifact locations at 2048 characters too). */
export const MAX_SOURCE_LENGTH = 2048;

/** The lookups resolution needs, all through the public store interface. */
export interface SourceLookups {
  getRun(runId: string): Promise<Run>;
  /** Throws `RESOURCE_DOES_NOT_EXIST` for an unknown or deleted logged model. */
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  getModelVersionByAlias(name: string, alias: string): Promise<{ version: string }>;
  /** Artifact roots this server owns (always including `mlflow-artifacts:/`). */
  roots: readonly string[];
}

/** What a valid source resolves to. */
export interface ResolvedSource {
  /** What `get-download-uri` will return. */
  storageLocation: string;
  /** The version's run: as given, else from `runs:/` or the logged model. */
  runId?: string;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$/s;
const MAX_DECODE_ROUNDS = 10;
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

function bad(source: string, why: string): MlflowError {
  const shown = source.length > 200 ? `${source.slice(0, 200)}…` : source;
  return invalidParam(`Invalid model version source ${JSON.stringify(shown)}: ${why}`);
}

/** Percent-decodes until stable; throws for invalid UTF-8 or a value still changing at the end. */
function decodeFully(source: string): string {
  let cur = source;
  for (let i = 0; i <= MAX_DECODE_ROUNDS; i++) {
    const next = cur.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      const bytes = Uint8Array.from(run.slice(1).split("%"), (h) => parseInt(h, 16));
      try {
        return fatalUtf8.decode(bytes);
      } catch {
        throw bad(source, "percent-escapes are not valid UTF-8");
      }
    });
    if (next === cur) return cur;
    cur = next;
  }
  throw bad(source, `still changing after ${MAX_DECODE_ROUNDS} rounds of URL-decoding`);
}

/** The checks every source passes, whatever its scheme, on the raw and the decoded form. */
function checkCharacters(source: string): void {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw bad(source, `it is longer than ${MAX_SOURCE_LENGTH} characters`);
  }
  for (const form of [source, decodeFully(source)]) {
    if (CONTROL.test(form)) throw bad(source, "control characters are not allowed");
    if (form.includes("\\")) throw bad(source, "backslashes are not allowed");
    if (form.includes("#")) throw bad(source, "URI fragments ('#') are not allowed");
    if (form.includes(";")) throw bad(source, "URI parameters (';') are not allowed");
    if (form.includes("?")) throw bad(source, "query strings ('?') are not allowed");
    if (form.split("/").some((seg) => seg === ".." || seg === ".")) {
      throw bad(source, "path traversal ('..' or '.' segments) is not allowed");
    }
  }
}

/** The part of `loc` below `base`, or null when `loc` is not `base` or inside it. */
function below(loc: string, base: string): string | null {
  const b = base.replace(/\/+$/, "");
  if (loc === base || loc === b) return "";
  return loc.startsWith(`${b}/`) ? loc.slice(b.length + 1) : null;
}

/** True when `rest` (the part below a base) is a safe relative path. */
function safeRest(rest: string): boolean {
  try {
    normaliseArtifactPath(rest);
    return true;
  } catch {
    return false;
  }
}

async function lookup<T>(source: string, what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (e) {
    if (!(e instanceof MlflowError)) throw e;
    // MLflow's wording and code for a registry URI it cannot resolve.
    throw invalidParam(
      `Unable to fetch model from model URI source artifact location '${source}'. ` +
        `Error: ${e.message}`,
    );
  }
}

async function resolveModelsUri(
  source: string,
  body: string,
  runId: string | undefined,
  modelId: string | undefined,
  at: SourceLookups,
): Promise<ResolvedSource> {
  const alias = body.lastIndexOf("@");
  const slash = body.lastIndexOf("/");
  if (alias > 0 && alias > slash) {
    const name = body.slice(0, alias);
    const mv = await lookup(source, () => at.getModelVersionByAlias(name, body.slice(alias + 1)));
    const uri = await lookup(source, () => at.getModelVersionDownloadUri(name, mv.version));
    return { storageLocation: uri, runId };
  }
  if (slash > 0) {
    const name = body.slice(0, slash);
    const version = body.slice(slash + 1);
    if (!/^\d+$/.test(version)) {
      throw bad(source, "a models:/<name>/<version> URI needs an integer version");
    }
    const uri = await lookup(source, () => at.getModelVersionDownloadUri(name, version));
    return { storageLocation: uri, runId };
  }
  if (!/^[\w\-]+$/.test(body)) throw bad(source, "expected models:/<model_id>");
  if (modelId !== undefined && modelId !== body) {
    throw bad(source, `it names logged model '${body}' but model_id is '${modelId}'`);
  }
  const model = await lookup(source, () => at.getLoggedModel(body));
  return {
    storageLocation: model.info.artifact_uri,
    runId: runId ?? model.info.source_run_id,
  };
}

/**
 * Validates `source` and resolves where its files are (see the module doc for the rules).
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for any unsafe or foreign source;
 * `RESOURCE_DOES_NOT_EXIST` when `runId` names no run.
 *
 * @example
 * ```ts
 * await resolveModelVersionSource("runs:/abc/model", undefined, undefined, lookups);
 * // { storageLocation: "mlflow-artifacts:/1/abc/artifacts/model", runId: "abc" }
 * ```
 */
export async function resolveModelVersionSource(
  source: string,
  runId: string | undefined,
  modelId: string | undefined,
  at: SourceLookups,
): Promise<ResolvedSource> {
  checkCharacters(source);
  const m = SCHEME.exec(source);
  // One letter before a colon is a Windows drive (`C:/…`), i.e. a local path.
  if (!m || m[1].length === 1) {
    throw bad(source, "local paths are not allowed; register an artifact URI this server owns");
  }
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  if (scheme === "file") throw bad(source, "file: URIs are not allowed");
  if (scheme === "http" || scheme === "https") {
    throw bad(source, "http(s) URLs are not allowed; this server only serves artifacts it stores");
  }
  const run = runId === undefined ? undefined : await at.getRun(checkRunId(runId));
  if (scheme === "runs" || scheme === "models") {
    if (!rest.startsWith("/") || rest.startsWith("//")) {
      throw bad(source, `expected ${scheme}:/<…> without a host`);
    }
    const body = rest.slice(1);
    if (scheme === "models") return await resolveModelsUri(source, body, runId, modelId, at);
    const cut = body.indexOf("/");
    const uriRunId = cut < 0 ? body : body.slice(0, cut);
    const path = cut < 0 ? "" : body.slice(cut + 1);
    if (runId !== undefined && uriRunId !== runId) {
      throw bad(source, `it names run '${uriRunId}' but run_id is '${runId}'`);
    }
    const target = run ?? await at.getRun(checkRunId(uriRunId));
    if (!safeRest(path)) throw bad(source, "the path after the run id is not a safe relative path");
    const base = target.info.artifact_uri.replace(/\/+$/, "");
    return { storageLocation: path === "" ? base : `${base}/${path}`, runId: uriRunId };
  }
  const bases: { base: string; what: string; root: boolean }[] = [];
  if (run) {
    bases.push({ base: run.info.artifact_uri, what: `run '${runId}'`, root: false });
  }
  if (modelId !== undefined) {
    const model = await at.getLoggedModel(modelId);
    bases.push({ base: model.info.artifact_uri, what: `logged model '${modelId}'`, root: false });
  }
  if (bases.length === 0) {
    for (const root of at.roots) bases.push({ base: root, what: "this server", root: true });
  }
  for (const { base, root } of bases) {
    const r = below(source, base);
    if (r !== null && (!root || r !== "") && safeRest(r)) return { storageLocation: source, runId };
  }
  const where = [...new Set(bases.map((b) => `${b.what} (${b.base})`))].join(" or ");
  throw bad(source, `it must lie inside the artifact directory of ${where}`);
}
