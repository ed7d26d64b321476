/**
 * `gc`: permanently deletes soft-deleted runs, experiments and logged models with their artifacts
 * (MLflow's `mlflow gc`). Used by `deno task gc`, the admin gc endpoint and the UI's "Delete
 * permanently". The store does the KV work (`PurgeMethods`); this module picks what goes and
 * deletes artifacts through the artifact repository while each entity is marked and before its
 * last keys go, so a kill in between leaves a tombstone the next gc finishes.
 *
 * @module
 */
import { proxiedPath } from "../../artifacts/uri.ts";
import type { ArtifactRepository } from "../../artifacts/types.ts";
import { invalidParam, MlflowError } from "../errors.ts";
import type { GcCandidate, PurgeKind, PurgeMethods, PurgeTarget } from "../purge_types.ts";

/** Options of {@linkcode runGc}. */
export interface GcOptions {
  /** Only what was deleted at least this long ago (ms); see {@linkcode parseOlderThan}. */
  olderThanMs?: number;
  /** Only these experiments (each must be deleted). */
  experimentIds?: string[];
  /** Only these runs (each must be deleted). */
  runIds?: string[];
  /** List what would be purged, purge nothing. */
  dryRun?: boolean;
  /** Stop after this many entities (the rest is left for another call: `more`). */
  limit?: number;
  /** One line per purged entity and per batch of deleted keys (the CLI prints them on stderr). */
  onProgress?: (line: string) => void;
  /** The clock `olderThanMs` counts back from; default `Date.now()`. */
  now?: number;
}

/** An artifact location gc did not delete, and why. */
export interface SkippedArtifacts {
  kind: PurgeKind;
  id: string;
  artifact_uri: string;
  reason: string;
}

/** What {@linkcode runGc} purged (or, in a dry run, would purge). */
export interface GcResult {
  dry_run: boolean;
  run_ids: string[];
  experiment_ids: string[];
  logged_model_ids: string[];
  /** Artifacts outside this server's artifact store (a client wrote them there itself). */
  skipped_artifacts: SkippedArtifacts[];
  /** True when `limit` stopped gc before the end of the list. */
  more: boolean;
}

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/**
 * Parses MLflow's `--older-than` (`#d#h#m#s`, each part optional but in that order, numbers may
 * have decimals: `30d`, `1h30m`, `45s`, `1.5d`) into milliseconds.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for anything else.
 * @example
 * ```ts
 * parseOlderThan("1h30m"); // 5_400_000
 * ```
 */
export function parseOlderThan(text: string): number {
  const m = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/
    .exec(text);
  if (!m || text === "") {
    throw invalidParam(
      `Could not parse --older-than '${text.slice(0, 64)}': use #d#h#m#s, e.g. 30d, 1h30m, 45s`,
    );
  }
  return ["d", "h", "m", "s"].reduce((ms, u, i) => ms + Number(m[i + 1] ?? 0) * UNITS[u], 0);
}

/** Most ids one `--experiment-ids` or `--run-ids` list (or one gc request) may name. */
export const MAX_GC_IDS = 10_000;

/**
 * Parses a comma-separated id list (`--run-ids a,b`); blanks between commas are ignored.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` past {@linkcode MAX_GC_IDS} ids.
 */
export function parseIdList(text: string): string[] {
  const ids = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (ids.length > MAX_GC_IDS) throw invalidParam(`At most ${MAX_GC_IDS} ids may be named at once`);
  return ids;
}

/**
 * The {@linkcode GcOptions} of `deno task gc`'s flags (MLflow's names: `--older-than`,
 * `--experiment-ids`, `--run-ids`, `--dry-run`).
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` on a value that does not parse.
 */
export function gcOptionsFromFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): GcOptions {
  const text = (name: string) =>
    typeof values[name] === "string" ? values[name] as string : undefined;
  const olderThan = text("older-than");
  const experimentIds = text("experiment-ids");
  const runIds = text("run-ids");
  return {
    olderThanMs: olderThan === undefined ? undefined : parseOlderThan(olderThan),
    experimentIds: experimentIds === undefined ? undefined : parseIdList(experimentIds),
    runIds: runIds === undefined ? undefined : parseIdList(runIds),
    dryRun: values["dry-run"] === true,
  };
}

/**
 * The repository folder holding an entity's artifacts, when they are in this server's store:
 * a run's or model's folder (the parent of its `artifacts`, named by its unique id), an
 * experiment's default `<id>` folder. Null: not ours to delete.
 */
export function artifactFolder(t: PurgeTarget): string | null {
  const rel = storePath(t.artifact_uri);
  if (!rel) return null;
  if (t.kind === "experiment") return rel === t.id ? rel : null;
  const own = `${t.id}/artifacts`;
  if (rel === own) return t.id;
  if (rel.endsWith(`/${own}`)) return rel.slice(0, -"/artifacts".length);
  return rel;
}

/**
 * Purges what gc selects: interrupted purges first, then deleted runs, logged models and
 * experiments (an experiment takes its runs and models with it). Named ids are all checked
 * before anything is purged (`RESOURCE_DOES_NOT_EXIST`, `INVALID_PARAMETER_VALUE` for an active
 * one).
 *
 * @example
 * ```ts
 * const result = await runGc(store, artifacts, { olderThanMs: parseOlderThan("30d") });
 * console.log(result.run_ids);
 * ```
 */
export async function runGc(
  store: PurgeMethods,
  artifacts: ArtifactRepository | undefined,
  opts: GcOptions = {},
): Promise<GcResult> {
  const result: GcResult = {
    dry_run: opts.dryRun ?? false,
    run_ids: [],
    experiment_ids: [],
    logged_model_ids: [],
    skipped_artifacts: [],
    more: false,
  };
  const progress = opts.onProgress ?? (() => {});
  const deletedBefore = opts.olderThanMs === undefined
    ? undefined
    : (opts.now ?? Date.now()) - opts.olderThanMs;
  const listed = store.listGcCandidates({
    deletedBefore,
    experimentIds: opts.experimentIds,
    runIds: opts.runIds,
  });
  const hooks = {
    onMarked: async (t: PurgeTarget) => {
      const folder = artifactFolder(t);
      if (folder !== null && artifacts) return await artifacts.delete(folder);
      // An experiment at a proxied location of its own choosing: its runs' and models' folders
      // are deleted one by one (another experiment may share the location).
      if (folder === null && t.kind === "experiment" && isProxied(t.artifact_uri)) return;
      const reason = artifacts ? "not in this server's artifact store" : "artifacts not served";
      result.skipped_artifacts.push({
        kind: t.kind,
        id: t.id,
        artifact_uri: t.artifact_uri,
        reason,
      });
    },
    onBatch: (t: PurgeTarget, n: number) => progress(`gc: ${t.kind} ${t.id}: ${n} keys deleted`),
  };
  let count = 0;
  for await (const c of listed) {
    if (opts.limit !== undefined && count >= opts.limit) {
      result.more = true;
      break;
    }
    count++;
    if (!result.dry_run && !await purge(store, c, hooks)) continue;
    listOf(result, c.kind).push(c.id);
    progress(`gc: ${result.dry_run ? "would purge" : "purged"} ${c.kind} ${c.id}`);
  }
  return result;
}

function isProxied(uri: string): boolean {
  return storePath(uri) !== null;
}

/** The path in this server's artifact store that `uri` names; null: elsewhere, or unsafe. */
function storePath(uri: string): string | null {
  try {
    return proxiedPath(uri);
  } catch {
    return null;
  }
}

function listOf(r: GcResult, kind: PurgeKind): string[] {
  return kind === "run" ? r.run_ids : kind === "experiment" ? r.experiment_ids : r.logged_model_ids;
}

/** Purges a candidate; false when another gc (a second process) purged it meanwhile. */
async function purge(
  store: PurgeMethods,
  c: GcCandidate,
  hooks: Parameters<PurgeMethods["purgeRun"]>[1],
): Promise<boolean> {
  try {
    if (c.kind === "run") await store.purgeRun(c.id, hooks);
    else if (c.kind === "experiment") await store.purgeExperiment(c.id, hooks);
    else await store.purgeLoggedModel(c.id, hooks);
    return true;
  } catch (e) {
    if (e instanceof MlflowError && e.code === "RESOURCE_DOES_NOT_EXIST") return false;
    throw e;
  }
}
