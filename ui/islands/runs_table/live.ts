/**
 * Live rows for the runs table: while loaded runs are RUNNING or SCHEDULED, their status, end
 * time, metrics, params and tags are fetched again every few seconds, without reloading the page.
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import { isAbort, searchRuns } from "../api.ts";
import { slimRun, type TableRun } from "./state.ts";

/** Runs refreshed per request; a page rarely shows more runs still going. */
const MAX_LIVE = 100;

/** Whether a run may still change by itself. */
export function isLive(run: TableRun): boolean {
  return run.info.status === "RUNNING" || run.info.status === "SCHEDULED";
}

/** Run ids that can go in a filter unquoted-safe (every id kvflow and MLflow generate). */
const PLAIN_ID = /^[\w-]+$/;

/** A filter selecting exactly these runs (`run_id IN (…)`); ids must match `PLAIN_ID`. */
export function runIdsFilter(ids: string[]): string {
  return `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(", ")})`;
}

/** `rows` with each run in `fresh` replaced by its fresh copy (other rows kept as they are). */
export function mergeFresh(rows: TableRun[], fresh: TableRun[]): TableRun[] {
  const byId = new Map(fresh.map((r) => [r.info.run_id, r]));
  return rows.map((r) => byId.get(r.info.run_id) ?? r);
}

/**
 * Polls the live runs among `rows` every `intervalMs` (skipped while the tab is hidden) and hands
 * their fresh copies to `apply`. Stops by itself once no loaded run is live.
 */
export function useLiveRuns(
  experimentIds: string[],
  rows: TableRun[],
  apply: (fresh: TableRun[]) => void,
  intervalMs: number,
): void {
  // Bumped to re-arm the timer when a round changed nothing (or was skipped).
  const [round, setRound] = useState(0);
  const live = rows.filter(isLive).map((r) => r.info.run_id).filter((id) => PLAIN_ID.test(id))
    .slice(0, MAX_LIVE);
  const key = live.join(",");
  useEffect(() => {
    if (live.length === 0) return;
    const ac = new AbortController();
    const timer = setTimeout(async () => {
      try {
        if (!document.hidden) {
          const res = await searchRuns({
            experimentIds,
            filter: runIdsFilter(live),
            runViewType: "ALL",
            maxResults: live.length,
          }, ac.signal);
          apply((res.runs ?? []).map(slimRun));
        }
      } catch (err) {
        // A failed refresh is retried next round; the table keeps what it shows.
        if (isAbort(err)) return;
      }
      setRound((n) => n + 1);
    }, intervalMs);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [experimentIds.join(","), key, round, intervalMs]);
}
