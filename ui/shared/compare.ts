/**
 * Pure helpers of the Compare runs page (`/compare?runs=a,b,c`), shared by the server-rendered
 * tables and the islands: parsing the `runs` parameter, lining up params / metrics / tags of
 * several runs row by row with the rows that differ marked, min/max per metric row and a small
 * concurrency limiter. No DOM, no store: unit-tested in tests/ui_compare_test.ts.
 *
 * @module
 */

/** Most runs one compare page shows; further ids in the URL are dropped (and said so). */
export const COMPARE_MAX_RUNS = 500;

/**
 * What a run id may look like (MLflow's are 32 hex digits; this is looser). Anything else is
 * "not found" without asking the store.
 */
const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The `runs` parameter, parsed. */
export interface ParsedRunIds {
  /** Well-formed ids to load, de-duplicated, in URL order, at most the cap. */
  ids: string[];
  /** Malformed entries (shortened for display), reported as not found. */
  malformed: string[];
  /** Well-formed ids dropped because they were past the cap. */
  dropped: number;
}

/** An id shortened for display (a 10 KB "id" must not bloat the page). */
export function shortId(id: string, max = 48): string {
  return id.length > max ? `${id.slice(0, max - 1)}…` : id;
}

/**
 * Parses `runs=a,b,c` (several `runs=` parameters are joined first): trims, drops empties and
 * duplicates, sets malformed entries aside and keeps at most `cap` ids.
 *
 * @example
 * ```ts
 * parseRunIds(["a1,b2", " a1 ,<x>"], 500);
 * // { ids: ["a1", "b2"], malformed: ["<x>"], dropped: 0 }
 * ```
 */
export function parseRunIds(values: readonly string[], cap = COMPARE_MAX_RUNS): ParsedRunIds {
  const ids: string[] = [];
  const malformed: string[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const value of values) {
    for (const part of value.split(",")) {
      const id = part.trim();
      if (!id || seen.has(id)) continue;
      seen.add(id);
      if (!RUN_ID_RE.test(id)) {
        malformed.push(shortId(id));
      } else if (ids.length < cap) {
        ids.push(id);
      } else {
        dropped++;
      }
    }
  }
  return { ids, malformed, dropped };
}

/** One row of a side-by-side table: a key and each run's value (`undefined`: not logged). */
export interface CompareRow<V> {
  key: string;
  values: (V | undefined)[];
  /** Whether the runs disagree (a value missing in some runs counts as a difference). */
  differs: boolean;
}

function same<V>(a: V | undefined, b: V | undefined): boolean {
  return Object.is(a, b) || a === b;
}

/**
 * Lines up the `key → value` entries of several runs: one row per key (sorted), one value per
 * run (in run order). With one run nothing differs.
 *
 * @example
 * ```ts
 * compareRows([[{ key: "lr", value: "0.1" }], [{ key: "lr", value: "0.2" }]]);
 * // [{ key: "lr", values: ["0.1", "0.2"], differs: true }]
 * ```
 */
export function compareRows<V>(
  runs: readonly (readonly { key: string; value: V }[])[],
): CompareRow<V>[] {
  const byKey = new Map<string, (V | undefined)[]>();
  runs.forEach((entries, i) => {
    for (const { key, value } of entries) {
      let values = byKey.get(key);
      if (!values) byKey.set(key, values = new Array(runs.length).fill(undefined));
      values[i] = value;
    }
  });
  return [...byKey.keys()].sort((a, b) => a.localeCompare(b)).map((key) => {
    const values = byKey.get(key)!;
    return { key, values, differs: values.some((v) => !same(v, values[0])) };
  });
}

/** The indexes holding a row's smallest and largest finite values; empty when all are equal. */
export function extremes(values: readonly (number | undefined)[]): {
  min: Set<number>;
  max: Set<number>;
} {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const min = new Set<number>();
  const max = new Set<number>();
  if (!(lo < hi)) return { min, max };
  values.forEach((v, i) => {
    if (v === lo) min.add(i);
    if (v === hi) max.add(i);
  });
  return { min, max };
}

/**
 * A param value as a number when it reads as one (`"0.01"`, `"1e-3"`, `" 5 "`); else null.
 * `""`, `"0x10"`, `"Infinity"` and `"NaN"` are not numbers here.
 */
export function numericParam(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const s = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * A limiter: `limit(fn)` runs `fn` when fewer than `concurrency` calls are running, else queues
 * it. Used to load hundreds of runs or metric histories without flooding the server.
 *
 * @example
 * ```ts
 * const limit = createLimiter(6);
 * const replies = await Promise.all(ids.map((id) => limit(() => fetchOne(id))));
 * ```
 */
export function createLimiter(concurrency: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= concurrency) return;
    const start = queue.shift();
    if (start) start();
  };
  return <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        active++;
        let p: Promise<T>;
        try {
          p = fn();
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(resolve, reject).finally(() => {
          active--;
          next();
        });
      });
      next();
    });
}

/** A run as the compare islands receive it (JSON props). */
export interface CompareRunRef {
  id: string;
  name: string;
}

/**
 * Series colours: CSS variables `--series-0` … `--series-19` (styles.css, a light and a dark
 * set), by run position; 20 so that a typical comparison never shows two runs in one colour.
 */
export const SERIES_COLORS = 20;

/** The colour slot of the `i`-th run (its swatch class is `cmp-c<slot>`). */
export function colorSlot(i: number): number {
  return i % SERIES_COLORS;
}

/**
 * Line styles once the colours run out: solid for the first {@linkcode SERIES_COLORS} runs, then
 * dashed, then dotted, so the 50 runs a compare chart overlays all look different.
 */
export const SERIES_DASHES: readonly (readonly number[])[] = [[], [6, 4], [1.5, 3]];

/** The line dash (canvas `setLineDash` pattern; empty: solid) of the `i`-th run. */
export function lineDash(i: number): number[] {
  return [...SERIES_DASHES[Math.floor(i / SERIES_COLORS) % SERIES_DASHES.length]];
}
