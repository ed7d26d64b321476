/**
 * What the runs table's Dataset and Models columns show, taken from what `runs/search` already
 * returns for each run — its `inputs.dataset_inputs`, its `outputs.model_outputs` (MLflow 3
 * logged models) and its `mlflow.log-model.history` tag (models logged as run artifacts) — so
 * the columns cost no request per row.
 *
 * @module
 */
import type { Run } from "../../../store/types.ts";

/** The tag holding the run's input's role (`train`, `eval`…). */
const CONTEXT_TAG = "mlflow.data.context";
/** The tag MLflow's `log_model` appends each logged model to (a JSON list). */
export const MODEL_HISTORY_TAG = "mlflow.log-model.history";
/** Datasets and models kept per run: the cells show a few, the first page's props stay small. */
const MAX_PER_RUN = 10;

/** A dataset input as a cell shows it. */
export interface DatasetRef {
  name: string;
  digest: string;
  context?: string;
}

/** A model of a run as a cell shows it, with the page it links to. */
export interface ModelRef {
  label: string;
  href: string;
  /** The model's full identity, for the hover text. */
  title: string;
}

/** The run's dataset inputs (at most {@linkcode MAX_PER_RUN}). */
export function datasetsOf(run: Pick<Run, "inputs">): DatasetRef[] {
  return (run.inputs?.dataset_inputs ?? []).slice(0, MAX_PER_RUN).map((d) => {
    const context = d.tags?.find((t) => t.key === CONTEXT_TAG)?.value;
    return { name: d.dataset.name, digest: d.dataset.digest, ...(context ? { context } : {}) };
  });
}

/** "iris (a1b2c3d4) train": name, the digest's first 8 characters, context. */
export function datasetLabel(d: DatasetRef): string {
  const digest = d.digest ? ` (${d.digest.slice(0, 8)})` : "";
  return `${d.name}${digest}${d.context ? ` ${d.context}` : ""}`;
}

interface HistoryEntry {
  artifact_path?: unknown;
  model_id?: unknown;
}

function historyEntries(value: string | undefined): HistoryEntry[] {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((e) => e && typeof e === "object") : [];
  } catch {
    return []; // a hand-set tag that is not MLflow's JSON: no models to show
  }
}

/**
 * The run's models: each `mlflow.log-model.history` entry (linked to its logged model page when
 * it names one, else to its artifact folder on the run page), then each `outputs.model_outputs`
 * model not already listed (linked to its logged model page). At most {@linkcode MAX_PER_RUN}.
 */
export function modelsOf(run: Pick<Run, "info" | "data" | "outputs">): ModelRef[] {
  const out: ModelRef[] = [];
  const seen = new Set<string>();
  const runId = run.info.run_id;
  const history = run.data.tags?.find((t) => t.key === MODEL_HISTORY_TAG)?.value;
  for (const e of historyEntries(history)) {
    const path = typeof e.artifact_path === "string" ? e.artifact_path : "";
    const id = typeof e.model_id === "string" ? e.model_id : "";
    if (!path && !id) continue;
    if (id) seen.add(id);
    out.push({
      label: path || id,
      href: id
        ? `/logged-models/${encodeURIComponent(id)}`
        : `/runs/${encodeURIComponent(runId)}?${new URLSearchParams({ artifact: path })}`,
      title: id ? `Logged model ${id}${path ? ` (${path})` : ""}` : `Model artifact ${path}`,
    });
  }
  for (const o of run.outputs?.model_outputs ?? []) {
    if (seen.has(o.model_id)) continue;
    seen.add(o.model_id);
    out.push({
      label: o.model_id.length > 14 ? `${o.model_id.slice(0, 12)}…` : o.model_id,
      href: `/logged-models/${encodeURIComponent(o.model_id)}`,
      title: `Logged model ${o.model_id}, step ${o.step}`,
    });
  }
  return out.slice(0, MAX_PER_RUN);
}
