/**
 * Offset paging shared by the reference evaluators: `max_results` validation, query
 * fingerprints, and page tokens that only resume the query they were issued for.
 *
 * @module
 */

import { invalidParam } from "../errors.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import type { Page, ViewType } from "../types.ts";

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
 * A short, stable fingerprint of a query's parts (cyrb53, base36). Not cryptographic: it only has
 * to tell one caller's queries apart so a token is not resumed against a different result list.
 */
export function fingerprint(parts: readonly unknown[]): string {
  const s = JSON.stringify(parts);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
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
