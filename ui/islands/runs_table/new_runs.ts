/**
 * "New runs" for the runs table: while the page is visible, a cheap check every so often asks for
 * the newest few runs matching the table's filter and view (one `runs/search`, newest first, at
 * most {@linkcode NEW_RUNS_PROBE} runs: the ordered scan stops there) and counts those started
 * after the newest run the table knows of. The table itself is not refetched until the user
 * presses Refresh. Checks are spaced out: {@linkcode NEW_RUNS_MS} apart with jitter (so many open
 * tabs do not fire together), growing while nothing changes and on errors, paused while hidden.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { isAbort, searchRuns } from "../api.ts";
import type { RunsView } from "./state.ts";
import { runViewType } from "./state.ts";

/** Runs asked for per check; when all of them are new the notice says "10+". */
export const NEW_RUNS_PROBE = 10;
/** The first check's delay, and the delay after a check that found something, in ms. */
export const NEW_RUNS_MS = 10_000;
/** Longest delay between two quiet checks, in ms. */
const MAX_QUIET_MS = 60_000;
/** Longest delay after failed checks, in ms. */
const MAX_ERROR_MS = 5 * 60_000;

/** The newest start time among `runs` (`-Infinity` for none). */
export function newestStart(runs: readonly { info: { start_time: number } }[]): number {
  let max = -Infinity;
  for (const r of runs) if (r.info.start_time > max) max = r.info.start_time;
  return max;
}

/** How many of `runs` started after `since`. */
export function countNewer(
  runs: readonly { info: { start_time: number } }[],
  since: number,
): number {
  return runs.filter((r) => r.info.start_time > since).length;
}

/**
 * The delay before the next check: `baseMs`, times 1.5 for each quiet check in a row (up to a
 * minute) or doubled for each failure in a row (up to five minutes), then ±20 % of jitter from
 * `random` (in [0, 1)).
 */
export function nextCheckDelay(
  baseMs: number,
  quiet: number,
  failures: number,
  random: number,
): number {
  const ms = failures > 0
    ? Math.min(baseMs * 2 ** failures, Math.max(baseMs, MAX_ERROR_MS))
    : Math.min(baseMs * 1.5 ** quiet, Math.max(baseMs, MAX_QUIET_MS));
  return Math.round(ms * (0.8 + 0.4 * random));
}

/** The notice's text: "1 new run", "3 new runs", "10+ new runs". */
export function newRunsText(count: number, more: boolean): string {
  return `${count}${more ? "+" : ""} new run${count === 1 && !more ? "" : "s"}`;
}

/** What the table searches, which the check repeats with its own order and size. */
export interface NewRunsQuery {
  experimentIds: string[];
  filter: string;
  view: RunsView;
  /**
   * Whether the table is ordered newest first (its default), so its loaded runs include the
   * newest match; otherwise the first check learns which run is the newest.
   */
  newestFirst: boolean;
}

/** What {@linkcode useNewRuns} reports. */
export interface NewRuns {
  /** New runs seen by the last check (at most {@linkcode NEW_RUNS_PROBE}). */
  count: number;
  /** Whether there may be more than `count`. */
  more: boolean;
  /** Call when the table reloads: what the last check saw is no longer new. */
  reset: () => void;
}

/**
 * Checks for runs newer than `rows` (the table's loaded runs) that match `query`, every
 * {@linkcode NEW_RUNS_MS} or so (`intervalMs`) while the page is visible, and never while
 * `enabled` is false (a filter the API refused). A new `query` starts over.
 */
export function useNewRuns(
  query: NewRunsQuery,
  rows: readonly { info: { start_time: number } }[],
  enabled: boolean,
  intervalMs = NEW_RUNS_MS,
): NewRuns {
  const [found, setFound] = useState({ count: 0, more: false });
  // The newest start time the user has seen; null until known (a table not newest-first).
  const since = useRef<number | null>(null);
  // The newest start time the last check saw: what a Refresh shows.
  const seen = useRef(-Infinity);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const key = JSON.stringify([query.experimentIds, query.filter, query.view, query.newestFirst]);

  useEffect(() => {
    setFound({ count: 0, more: false });
    since.current = query.newestFirst ? newestStart(rowsRef.current) : null;
    seen.current = -Infinity;
    if (!enabled) return;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let quiet = 0;
    let failures = 0;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = document.hidden ? undefined : setTimeout(check, ms);
    };
    async function check() {
      try {
        const res = await searchRuns({
          experimentIds: query.experimentIds,
          filter: query.filter.trim(),
          orderBy: ["attributes.start_time DESC"],
          runViewType: runViewType(query.view),
          maxResults: NEW_RUNS_PROBE,
        }, ac.signal);
        const runs = res.runs ?? [];
        failures = 0;
        seen.current = Math.max(seen.current, newestStart(runs));
        // Loaded rows (a Refresh, Load more) count as seen; so does everything at the first
        // check of a table that is not newest first.
        const base = Math.max(since.current ?? seen.current, newestStart(rowsRef.current));
        since.current = base;
        const count = countNewer(runs, base);
        quiet = count > 0 ? 0 : quiet + 1;
        setFound({ count, more: count === NEW_RUNS_PROBE });
      } catch (err) {
        if (isAbort(err)) return;
        failures++;
      }
      arm(nextCheckDelay(intervalMs, quiet, failures, Math.random()));
    }
    const onVisibility = () => {
      // Back in view: check soon (spread over a few seconds), with the quiet back-off reset.
      quiet = 0;
      arm(nextCheckDelay(Math.min(intervalMs, 2000), 0, failures, Math.random()));
    };
    document.addEventListener("visibilitychange", onVisibility);
    arm(nextCheckDelay(intervalMs, 0, 0, Math.random()));
    return () => {
      clearTimeout(timer);
      ac.abort();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [key, enabled, intervalMs]);

  return {
    ...found,
    reset: () => {
      since.current = Math.max(since.current ?? -Infinity, seen.current);
      setFound({ count: 0, more: false });
    },
  };
}
