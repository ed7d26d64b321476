/**
 * The limits on how much work one search request may ask for (issue 10 #2, #8), in one place for
 * every grammar (runs, experiments, logged models, the model registry) and both backends. Each is
 * checked before any data is read and gives `INVALID_PARAMETER_VALUE` (HTTP 400) with a message
 * naming the limit. MLflow itself has none of these; each is far above what MLflow's clients and
 * web UI send.
 *
 * @module
 */
import { invalidParam } from "../errors.ts";

/**
 * Longest filter string, in UTF-16 code units: room for an `IN` list of
 * {@linkcode MAX_IN_LIST_LENGTH} 32-character run ids, quoted and comma-separated (~37k).
 */
export const MAX_FILTER_LENGTH = 65_536;
/** Most values in one `IN` / `NOT IN` list (MLflow's web UI sends at most 100 run ids). */
export const MAX_IN_LIST_LENGTH = 1000;
/**
 * Longest `LIKE` / `ILIKE` pattern, in UTF-16 code units: matching costs up to value length ×
 * pattern length (store/search/_like.ts), so this bounds the cost of one comparison.
 */
export const MAX_LIKE_PATTERN_LENGTH = 1000;
/**
 * Most characters all the `LIKE` / `ILIKE` patterns of one filter may have together: checking
 * one run or experiment costs up to value length × this, which keeps it to a few ms (so the
 * CPU-time guard, which checks between items, can pause often enough).
 */
export const MAX_LIKE_PATTERNS_TOTAL = 10_000;
/** Most `order_by` clauses in one search. */
export const MAX_ORDER_BY_CLAUSES = 20;
/** Longest single `order_by` clause, in UTF-16 code units. */
export const MAX_ORDER_BY_CLAUSE_LENGTH = 1000;
/**
 * Most experiment ids one runs or logged-models search may name (MLflow's web UI compares a
 * handful; kvflow's searches one).
 */
export const MAX_SEARCH_EXPERIMENT_IDS = 100;
/** Most datasets one logged-models search may filter its metrics by. */
export const MAX_SEARCH_DATASETS = 100;

/** Throws `INVALID_PARAMETER_VALUE` when `filter` is longer than {@linkcode MAX_FILTER_LENGTH}. */
export function checkFilterLength(filter: string): void {
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidParam(
      `The filter is ${filter.length} characters long; at most ${MAX_FILTER_LENGTH} are allowed`,
    );
  }
}

/** Throws `INVALID_PARAMETER_VALUE` when an `IN` list of `label` is too long. */
export function checkInListLength(label: string, length: number): void {
  if (length > MAX_IN_LIST_LENGTH) {
    throw invalidParam(
      `The IN list for ${label} has more than ${MAX_IN_LIST_LENGTH} values; ` +
        `at most ${MAX_IN_LIST_LENGTH} are allowed`,
    );
  }
}

/**
 * Throws `INVALID_PARAMETER_VALUE` when a LIKE pattern for `label` is too long, or when the
 * filter's patterns so far, `total` characters with this one, are.
 */
export function checkLikePattern(label: string, pattern: string, total: number): void {
  if (pattern.length > MAX_LIKE_PATTERN_LENGTH) {
    throw invalidParam(
      `The LIKE pattern for ${label} is ${pattern.length} characters long; ` +
        `at most ${MAX_LIKE_PATTERN_LENGTH} are allowed`,
    );
  }
  if (total > MAX_LIKE_PATTERNS_TOTAL) {
    throw invalidParam(
      `The LIKE patterns of the filter have more than ${MAX_LIKE_PATTERNS_TOTAL} characters ` +
        `together; at most ${MAX_LIKE_PATTERNS_TOTAL} are allowed`,
    );
  }
}

/**
 * Throws `INVALID_PARAMETER_VALUE` for more than {@linkcode MAX_ORDER_BY_CLAUSES} `order_by`
 * clauses or one longer than {@linkcode MAX_ORDER_BY_CLAUSE_LENGTH}.
 */
export function checkOrderBy(clauses: readonly string[] | undefined): void {
  if (clauses === undefined) return;
  if (clauses.length > MAX_ORDER_BY_CLAUSES) {
    throw invalidParam(
      `order_by has ${clauses.length} clauses; at most ${MAX_ORDER_BY_CLAUSES} are allowed`,
    );
  }
  for (const c of clauses) {
    if (typeof c === "string" && c.length > MAX_ORDER_BY_CLAUSE_LENGTH) {
      throw invalidParam(
        `An order_by clause is ${c.length} characters long; ` +
          `at most ${MAX_ORDER_BY_CLAUSE_LENGTH} are allowed`,
      );
    }
  }
}

/**
 * Throws `INVALID_PARAMETER_VALUE` when a search names more than `max` items in its list
 * parameter `name` (e.g. `experiment_ids`).
 */
export function checkListParam(
  name: string,
  items: readonly unknown[] | undefined,
  max: number,
): void {
  if (items !== undefined && items.length > max) {
    throw invalidParam(
      `${name} has ${items.length} entries; at most ${max} are allowed in one search`,
    );
  }
}
