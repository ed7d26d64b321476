/**
 * The export records both MLflow readers build. A SQL row and a file store's `meta.yaml` use the
 * same field names (`experiment_id`, `lifecycle_stage`, `artifact_uri`, …), so each reader only
 * reads its rows and the few values it spells its own way (a run's name and status, where a
 * run's files sit); what becomes of them, and the warnings that go with it, is decided here once.
 *
 * @module
 */
import type { DatasetInput, RunStatus, Tag } from "../types.ts";
import type { ModelVersion, ModelVersionStage } from "../registry/types.ts";
import type {
  ExperimentRecord,
  HeaderRecord,
  RegisteredModelRecord,
  RunRecord,
} from "../ops/export_format.ts";
import { EXPORT_FORMAT } from "../ops/export_format.ts";
import {
  DELETED_VERSION_STAGE,
  lifecycleStage,
  modelIdOfSource,
  num,
  PROXIED_ARTIFACTS_SCHEME,
  str,
  type WarningTally,
} from "./_common.ts";
import {
  experimentLocation,
  type LocalArtifactRoots,
  localArtifacts,
  modelSources,
} from "./_local_artifacts.ts";

/** A row of either store: a SQL row or a parsed `meta.yaml`. */
export type Row = Record<string, unknown>;

/** The first record of a read: which kind of MLflow store it came from. */
export function headerRecord(source: "mlflow-sqlite" | "mlflow-file-store"): HeaderRecord {
  return { type: "header", format: EXPORT_FORMAT, exported_at: Date.now(), source };
}

/**
 * An experiment row with its tags; a local `artifact_location` is carried as
 * ./_local_artifacts.ts decides.
 */
export function experimentRecord(
  e: Row,
  tags: Tag[],
  roots: LocalArtifactRoots,
  tally: WarningTally,
): ExperimentRecord {
  const id = str(e.experiment_id);
  return {
    type: "experiment",
    experiment: {
      experiment_id: id,
      name: str(e.name),
      artifact_location: experimentLocation(str(e.artifact_location), id, roots, tally),
      lifecycle_stage: lifecycleStage(e.lifecycle_stage),
      creation_time: num(e.creation_time ?? 0),
      last_update_time: num(e.last_update_time ?? e.creation_time ?? 0),
      tags,
    },
  };
}

/** A pre-1.0 run's source fields (SQL columns), which kvflow has no place for. */
export const LEGACY_SOURCE_FIELDS = ["source_name", "entry_point_name", "source_version"] as const;

/** What a reader finds of a run beside its row, in its own way. */
export interface RunParts {
  id: string;
  /** The stored name (`name` column, `run_name` field); the `mlflow.runName` tag when none. */
  name: unknown;
  /** The row's `status` as the reader understands it; undefined when unknown (carried as FAILED). */
  status: RunStatus | undefined;
  params: Tag[];
  tags: Tag[];
  /**
   * How the reader names the pre-1.0 `source_name`/`entry_point_name`/`source_version` values
   * when the run holds any (they are reported as not carried); undefined when it holds none.
   */
  legacySource?: "fields" | "columns";
  /** A file store run's own `artifacts/` directory, where its local files are looked for too. */
  ownArtifactsDir?: string;
}

/**
 * A run row as its record: an unknown status becomes FAILED, a local `artifact_uri` becomes
 * the proxied one with the directory to copy (./_local_artifacts.ts), any other URI but a
 * proxied one is kept and reported; a deleted run keeps its `deleted_time`.
 */
export function runRecord(
  r: Row,
  run: RunParts,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): RunRecord {
  const { id } = run;
  if (!run.status) tally.add("runs", `unknown status "${r.status}": carried as FAILED`, id);
  let artifactUri = str(r.artifact_uri);
  // Without a tracking server a file store's files sit in the run's own directory (moved to
  // .trash/ with a deleted experiment, while the URI still names the old place).
  const local = localArtifacts(
    artifactUri,
    `${str(r.experiment_id)}/${id}/artifacts`,
    roots,
    tally,
    "runs",
    id,
    run.ownArtifactsDir === undefined ? [] : [run.ownArtifactsDir],
  );
  if (local) artifactUri = local.uri;
  else if (!artifactUri.startsWith(PROXIED_ARTIFACTS_SCHEME)) {
    tally.add(
      "runs",
      "artifact_uri is not an mlflow-artifacts:/ URI: kept as it is, its files are not copied by --artifacts",
      id,
    );
  }
  if (run.legacySource) {
    tally.add(
      "runs",
      `legacy source_name/entry_point_name/source_version ${run.legacySource} not carried`,
      id,
    );
  }
  return {
    type: "run",
    info: {
      run_id: id,
      run_uuid: id,
      run_name: str(run.name ?? run.tags.find((t) => t.key === "mlflow.runName")?.value),
      experiment_id: str(r.experiment_id),
      user_id: str(r.user_id),
      status: run.status ?? "FAILED",
      start_time: num(r.start_time ?? 0),
      ...(r.end_time !== null && r.end_time !== undefined ? { end_time: num(r.end_time) } : {}),
      artifact_uri: artifactUri,
      lifecycle_stage: lifecycleStage(r.lifecycle_stage),
    },
    params: run.params,
    tags: run.tags,
    ...(r.lifecycle_stage === "deleted" && r.deleted_time !== null &&
      r.deleted_time !== undefined && { deleted_time: num(r.deleted_time) }),
    ...(local?.source !== undefined && { artifact_source: local.source }),
  };
}

/**
 * A dataset input from a dataset's row (`name`, `digest`, `source_type`, `source`, and
 * `schema` and `profile` when stored) and the input's tags.
 */
export function datasetInput(tags: Tag[], d: Row): DatasetInput {
  return {
    tags,
    dataset: {
      name: str(d.name),
      digest: str(d.digest),
      source_type: str(d.source_type),
      source: str(d.source),
      ...(d.schema !== null && d.schema !== undefined ? { schema: str(d.schema) } : {}),
      ...(d.profile !== null && d.profile !== undefined ? { profile: str(d.profile) } : {}),
    },
  };
}

/**
 * A registered model row (`creation_time` in SQL, `creation_timestamp` in `meta.yaml`) with its
 * tags, its aliases in the order to show them, and its carried versions, each given the aliases
 * that name it.
 */
export function registeredModelRecord(
  name: string,
  m: Row,
  tags: Tag[],
  aliases: { alias: string; version: string }[],
  versions: ModelVersion[],
): RegisteredModelRecord {
  for (const v of versions) {
    v.aliases = aliases.filter((a) => a.version === v.version).map((a) => a.alias);
  }
  return {
    type: "registered_model",
    model: {
      name,
      creation_timestamp: num(m.creation_time ?? m.creation_timestamp ?? 0),
      last_updated_timestamp: num(
        m.last_updated_time ?? m.last_updated_timestamp ?? m.creation_time ??
          m.creation_timestamp ?? 0,
      ),
      ...(m.description ? { description: str(m.description) } : {}),
      latest_versions: [],
      tags,
      aliases,
    },
    versions,
  };
}

const STAGES: readonly ModelVersionStage[] = ["None", "Staging", "Production", "Archived"];

/**
 * A `model_versions` row (SQL) or `version-<n>/meta.yaml` (file store) as kvflow's
 * version, or undefined (with a warning) when not carried. A local `source` or
 * `storage_location` in MLflow's artifact layout is carried in its proxied form
 * ({@linkcode modelSources}).
 */
export function versionOf(
  name: string,
  row: Row,
  tags: Tag[],
  roots: LocalArtifactRoots,
  tally: WarningTally,
): ModelVersion | undefined {
  const v: Row = { ...row, ...modelSources(row, roots) };
  const id = `${name} v${v.version}`;
  if (v.current_stage === DELETED_VERSION_STAGE) {
    tally.add("model versions", "deleted in MLflow: not carried (its number stays used)", id);
    return undefined;
  }
  if (v.status && v.status !== "READY") {
    tally.add("model versions", `status ${v.status} carried as READY`, id);
  }
  const stage = STAGES.includes(v.current_stage as ModelVersionStage)
    ? (v.current_stage as ModelVersionStage)
    : "None";
  if (v.current_stage && stage !== v.current_stage) {
    tally.add("model versions", `unknown stage "${v.current_stage}" carried as None`, id);
  }
  const source = str(v.source);
  const modelId = modelIdOfSource(source);
  // MLflow derives storage_location from the source; only another value would be lost.
  const storage = str(v.storage_location);
  const derived = storage === "" || storage === source ||
    (modelId !== undefined && storage.endsWith(`/models/${modelId}/artifacts`));
  if (!derived) {
    tally.add(
      "model versions",
      "storage_location other than the one MLflow derives from the source: not carried",
      id,
    );
  }
  return {
    name,
    version: str(v.version),
    creation_timestamp: num(v.creation_time ?? v.creation_timestamp ?? 0),
    last_updated_timestamp: num(
      v.last_updated_time ?? v.last_updated_timestamp ?? v.creation_time ?? v.creation_timestamp ??
        0,
    ),
    ...(v.user_id ? { user_id: str(v.user_id) } : {}),
    current_stage: stage,
    description: str(v.description),
    source,
    ...(v.run_id ? { run_id: str(v.run_id) } : {}),
    status: "READY",
    tags,
    run_link: str(v.run_link),
    aliases: [],
    ...(modelId ? { model_id: modelId } : {}),
  };
}
