/**
 * Offset paging shared by the reference evaluators: `max_results` validation, query
 * fingerprints, and page tokens that only resume the query they were issued for.
 *
 * @module
 */

import { invalidParam } from "../errors.ts";
import { shortHash } from "../ids.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import type { Page, ViewType } from "../types.ts";
import type { Steps, WorkBudget } from "./budget.ts";

/** MLflow's default page size for run and experiment searches. */
export const DEFAULT_MAX_RESULTS = 1000;
/** MLflow's `SEARCH_MAX_RESULTS_THRESHOLD`. */
export const MAX_RESULTS_LIMIT = 50000;

/**
 * Returns `maxResults`, or the default when absent. Throws `INVALID_PARAMETER_VALUE` unless it is
 * an integer in 1..50000, with MLflow's wording.
 */
export function validateMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return DEFAULT_MAX_RESULTS;
  const bad = (rule: string) =>
    invalidParam(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be ${rule}`,
    );
  if (!Number.isInteger(maxResults)) throw bad("an integer");
  if (maxResults < 1) throw bad("at least 1");
  if (maxResults > MAX_RESULTS_LIMIT) throw bad(`at most ${MAX_RESULTS_LIMIT}`);
  return maxResults;
}

/** Throws `INVALID_PARAMETER_VALUE` unless `v` is a view type (callers may pass wire input). */
export function validateViewType(v: ViewType | undefined): ViewType {
  if (v === undefined) return "ACTIVE_ONLY";
  if (v !== "ACTIVE_ONLY" && v !== "DELETED_ONLY" && v !== "ALL") {
    throw invalidParam(
      `Invalid view type '${v}'; valid values are 'ACTIVE_ONLY', 'DELETED_ONLY' and 'ALL'`,
    );
  }
  return v;
}

/** Whether an entity in `stage` is visible under `view`. */
export function inView(stage: string, view: ViewType): boolean {
  return view === "ALL" || (view === "ACTIVE_ONLY") === (stage === "active");
}

/**
 * A short, stable fingerprint of a query's parts ({@linkcode shortHash} of their JSON). It only
 * has to tell one caller's queries apart so a token is not resumed against a different result list.
 */
export function fingerprint(parts: readonly unknown[]): string {
  return shortHash(JSON.stringify(parts));
}

/**
 * The offset a page token resumes at (0 without a token). Throws `INVALID_PARAMETER_VALUE` for a
 * malformed token or one issued for a different query (`q` ≠ `fp`).
 */
export function readOffset(pageToken: string | undefined, fp: string): number {
  const cursor = decodePageToken(pageToken);
  if (pageToken === undefined || pageToken === "") return 0;
  if (cursor.offset === undefined || cursor.q !== fp) {
    throw invalidParam(
      `Invalid page token '${pageToken.slice(0, 100)}': it does not belong to this query`,
    );
  }
  return cursor.offset;
}

/**
 * The page of `sorted` starting at `offset`. A token is returned only when at least one more
 * item exists, so the last page never comes with a token (MLflow 3.11's N+1 rule).
 */
export function pageOf<T>(sorted: readonly T[], offset: number, max: number, fp: string): Page<T> {
  const end = offset + max;
  const items = sorted.slice(offset, end);
  return end < sorted.length ? { items, nextPageToken: encodePageToken({ offset: end, q: fp }) } : {
    items,
  };
}

/**
 * The page of `sorted` from `offset` holding only items `visible` accepts (the caller's readable
 * set, issue 11 §4): hidden items are skipped and the page is refilled from later ones, so it is
 * short only at the end. Offsets count every item of `sorted`, hidden ones included, and the
 * token resumes right after the last item returned (MLflow's refill does the same), so a grant
 * changing between two pages neither repeats nor skips an item. As with {@linkcode pageOf}, a
 * token comes only when a later visible item exists. Without `visible` this is `pageOf`.
 * Each item looked at is counted against `budget`.
 */
export function* visiblePageSteps<T>(
  sorted: readonly T[],
  offset: number,
  max: number,
  fp: string,
  visible: ((item: T) => boolean) | undefined,
  budget: WorkBudget,
): Steps<Page<T>> {
  if (visible === undefined) return pageOf(sorted, offset, max, fp);
  const items: T[] = [];
  let i = offset;
  for (; i < sorted.length && items.length < max; i++) {
    if (budget.tick()) yield;
    if (visible(sorted[i])) items.push(sorted[i]);
  }
  const resume = i;
  for (; i < sorted.length; i++) {
    if (budget.tick()) yield;
    if (visible(sorted[i])) {
      return { items, nextPageToken: encodePageToken({ offset: resume, q: fp }) };
    }
  }
  return { items };
}
