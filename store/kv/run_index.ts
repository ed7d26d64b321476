/**
 * Keeping the search indexes in step with run data. Every function here only plans mutations,
 * so index entries always land in the same commit as the value they point at. Entries are
 * pointers (the run id), except the experiment's run index, which carries a copy of a small run
 * record so that a search's first page is one list call rather than one read per ten runs.
 *
 * @module
 */
import { runByExperimentKey, runByMetricKey, runByParamKey, runByTagKey } from "./keys.ts";
import type { Point } from "./metric_history.ts";
import { estimateSize, type MutationSet } from "./mutations.ts";
import type { RunRecord } from "./records.ts";

/**
 * Largest run record (estimated bytes) the experiment's run index carries a copy of; a larger one
 * is indexed by id and read by key. Every write of the record writes the copy too, so this bounds
 * what a write pays for search's single list.
 */
export const INDEXED_RECORD_MAX_BYTES = 4_000;

/** What the experiment's run index holds for a run: its record when small, else its id. */
export function runIndexValue(run: RunRecord): RunRecord | string {
  return estimateSize(run) <= INDEXED_RECORD_MAX_BYTES ? run : run.run_id;
}

/** Plans the experiment's run index entry for a run record just planned (same commit). */
export function indexRunRecord(m: MutationSet, run: RunRecord): void {
  m.set(runByExperimentKey(run.experiment_id, run.start_time, run.run_id), runIndexValue(run));
}

/** The run id of an entry of the experiment's run index, whichever form it holds. */
export function indexedRunId(value: RunRecord | string): string {
  return typeof value === "string" ? value : value.run_id;
}

/** Plans the index entry of a newly logged param (params never change). */
export function indexParam(m: MutationSet, run: RunRecord, key: string, value: string): void {
  m.set(runByParamKey(run.experiment_id, key, value, run.run_id), run.run_id);
}

/** Plans moving a tag's index entry from `old` to `next` (null: absent). */
export function indexTagChange(
  m: MutationSet,
  run: RunRecord,
  key: string,
  old: string | null,
  next: string | null,
): void {
  if (old !== null) m.delete(runByTagKey(run.experiment_id, key, old, run.run_id));
  if (next !== null) m.set(runByTagKey(run.experiment_id, key, next, run.run_id), run.run_id);
}

/** Plans moving a metric's index entry when its latest value changes. */
export function indexMetricChange(
  m: MutationSet,
  run: RunRecord,
  key: string,
  old: Point | undefined,
  next: Point,
): void {
  if (old && (old.value === next.value || (Number.isNaN(old.value) && Number.isNaN(next.value)))) {
    return;
  }
  const exp = run.experiment_id;
  if (old) m.delete(runByMetricKey(exp, key, old.value, run.start_time, run.run_id));
  m.set(runByMetricKey(exp, key, next.value, run.start_time, run.run_id), run.run_id);
}
