/**
 * Keeping the search indexes in step with run data. Every function here only plans mutations,
 * so index entries always land in the same commit as the value they point at. Entries are
 * pointers (the run id), never copies of the run.
 *
 * @module
 */
import { runByMetricKey, runByParamKey, runByTagKey } from "./keys.ts";
import type { Point } from "./metric_history.ts";
import type { MutationSet } from "./mutations.ts";
import type { RunRecord } from "./records.ts";

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
