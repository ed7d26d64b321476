/**
 * What a new model version reads (`model-versions/create`): its files come from a run, a logged
 * model, another registered model's version or an artifact location, and whoever may read the
 * version may then fetch them. So, as MLflow 3 does, the caller needs READ on each of those
 * besides UPDATE on the registered model; otherwise a caller could register a version over the
 * artifacts of an experiment hidden from them and read it through the registry.
 *
 * {@linkcode modelVersionSourceTargets} names the grant targets of a request; the middleware
 * checks them. It mirrors store/registry/source.ts, which then validates the source and refuses
 * anything outside these shapes, so only shapes the store accepts need a target here:
 *
 * - `run_id`, and the run of a `runs:/<run_id>/…` source → the run's experiment;
 * - `model_id`, and a `models:/<model_id>` source → the logged model's experiment;
 * - `models:/<name>/<version>` or `models:/<name>@<alias>` → the registered model `name`;
 * - an artifact location (`mlflow-artifacts:/1/…`, `s3://…`) → the experiment in its leading
 *   `^\d+/` segment for `mlflow-artifacts:` (the artifact proxy's own rule), and every experiment
 *   whose artifact location holds it. Only read when neither `run_id` nor `model_id` is given:
 *   with one, the store confines the location to that run's or logged model's directory.
 *
 * @module
 */
import { normaliseArtifactPath } from "../../artifacts/path.ts";
import { MlflowError } from "../../store/errors.ts";
import { MAX_RESULTS_LIMIT } from "../../store/search/mod.ts";
import type { TrackingStore } from "../../store/types.ts";

/** A grant target a source names; null for a run or logged model that does not exist. */
export type SourceTarget =
  | { kind: "experiment"; id: string }
  | { kind: "registered_model"; name: string }
  | null;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$/s;

/** `lookup()`, or null when the store says the id names nothing (or is malformed). */
async function orNull<T>(lookup: () => Promise<T>): Promise<T | null> {
  try {
    return await lookup();
  } catch (e) {
    if (
      e instanceof MlflowError &&
      (e.code === "RESOURCE_DOES_NOT_EXIST" || e.code === "INVALID_PARAMETER_VALUE")
    ) return null;
    throw e;
  }
}

async function runExperiment(store: TrackingStore, runId: string): Promise<SourceTarget> {
  const run = await orNull(() => store.getRun(runId));
  return run && { kind: "experiment", id: run.info.experiment_id };
}

async function loggedModelExperiment(store: TrackingStore, id: string): Promise<SourceTarget> {
  const model = await orNull(() => store.getLoggedModel(id));
  return model && { kind: "experiment", id: model.info.experiment_id };
}

/** The targets of a `models:/…` body: a registered model's version, or a logged model. */
async function modelsUriTargets(store: TrackingStore, body: string): Promise<SourceTarget[]> {
  const cut = Math.max(body.lastIndexOf("/"), body.lastIndexOf("@"));
  if (cut > 0) return [{ kind: "registered_model", name: body.slice(0, cut) }];
  return body === "" ? [] : [await loggedModelExperiment(store, body)];
}

/** Whether `location` is `base` or lies inside it (segment-wise). */
function inside(location: string, base: string): boolean {
  const b = base.replace(/\/+$/, "");
  return b !== "" && (location === b || location.startsWith(`${b}/`));
}

/** Every experiment, deleted ones included, whose artifact location holds `location`. */
async function experimentsHolding(store: TrackingStore, location: string): Promise<SourceTarget[]> {
  const out: SourceTarget[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({
      viewType: "ALL",
      maxResults: MAX_RESULTS_LIMIT,
      pageToken,
    });
    for (const e of page.items) {
      if (inside(location, e.artifact_location)) {
        out.push({ kind: "experiment", id: e.experiment_id });
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return out;
}

/** The experiment an `mlflow-artifacts:` location names by its leading segment, if any. */
function proxyExperiment(rest: string): SourceTarget[] {
  let path: string;
  try {
    path = normaliseArtifactPath(rest.replace(/^\/(?!\/)/, ""));
  } catch {
    return []; // the store refuses such a source with a 400
  }
  const m = /^(\d+)(\/|$)/.exec(path);
  return m ? [{ kind: "experiment", id: m[1] }] : [];
}

/**
 * The grant targets a `model-versions/create` request reads through (see the module doc), from
 * its JSON body; each needs READ. Values the store will refuse yield no target: the request
 * fails there with a 400.
 */
export async function modelVersionSourceTargets(
  store: TrackingStore,
  args: Record<string, unknown>,
): Promise<SourceTarget[]> {
  const text = (v: unknown) => typeof v === "string" && v !== "" ? v : undefined;
  const runId = text(args.run_id);
  const modelId = text(args.model_id);
  const source = text(args.source);
  const targets: SourceTarget[] = [];
  if (runId !== undefined) targets.push(await runExperiment(store, runId));
  if (modelId !== undefined) targets.push(await loggedModelExperiment(store, modelId));
  const m = source === undefined ? null : SCHEME.exec(source);
  if (source === undefined || m === null) return targets;
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  if (scheme === "runs" || scheme === "models") {
    if (!rest.startsWith("/") || rest.startsWith("//")) return targets;
    const body = rest.slice(1);
    if (scheme === "models") return [...targets, ...await modelsUriTargets(store, body)];
    const cut = body.indexOf("/");
    const uriRunId = cut < 0 ? body : body.slice(0, cut);
    return uriRunId === "" ? targets : [...targets, await runExperiment(store, uriRunId)];
  }
  if (runId !== undefined || modelId !== undefined) return targets;
  if (scheme === "mlflow-artifacts") targets.push(...proxyExperiment(rest));
  targets.push(...await experimentsHolding(store, source));
  return targets;
}
