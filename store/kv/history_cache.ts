/**
 * Whole metric histories as columns, as this process last read them, each tagged with the run
 * head's versionstamp it was read under. Every write to a run changes its head (the invariant
 * `readConsistently` rests on), so an entry whose tag still equals the head just read is exactly
 * what KV holds, in any process or isolate; any other is a miss. A chart view of finished runs,
 * opened again or by a second viewer, then costs one KV call per run instead of a history read.
 * Bounded by points held (least recently used first out).
 *
 * @module
 */
import type { Columns } from "./history_columns.ts";

/** Points (three float64 each) held at most: 1M points is 24 MB. */
const DEFAULT_POINTS = 1_000_000;
/** Longest history kept: longer ones would push out hundreds of chart-sized ones. */
const DEFAULT_ENTRY_POINTS = 50_000;

/** A bounded LRU of run id + metric key → the history's columns at one run-head versionstamp. */
export class HistoryCache {
  #entries = new Map<string, { versionstamp: string; columns: Columns }>();
  #points = 0;
  #budget: number;
  #entryMax: number;

  constructor(budget = DEFAULT_POINTS, entryMax = DEFAULT_ENTRY_POINTS) {
    this.#budget = budget;
    this.#entryMax = Math.min(entryMax, budget);
  }

  /** A copy of the history read under `versionstamp`, if that is what is held. */
  get(runId: string, key: string, versionstamp: string): Columns | undefined {
    const id = entryId(runId, key);
    const e = this.#entries.get(id);
    if (!e || e.versionstamp !== versionstamp) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, e);
    // Copies: a caller may write into what it is given.
    const { timestamps, steps, values } = e.columns;
    return { timestamps: timestamps.slice(), steps: steps.slice(), values: values.slice() };
  }

  /** Keeps a whole history read under `versionstamp` (a copy; too long a one is not kept). */
  set(runId: string, key: string, versionstamp: string, columns: Columns): void {
    const id = entryId(runId, key);
    this.#drop(id);
    const n = columns.values.length;
    if (n > this.#entryMax) return;
    this.#entries.set(id, {
      versionstamp,
      columns: {
        timestamps: columns.timestamps.slice(),
        steps: columns.steps.slice(),
        values: columns.values.slice(),
      },
    });
    this.#points += n;
    while (this.#points > this.#budget) this.#drop(this.#entries.keys().next().value!);
  }

  #drop(id: string): void {
    const e = this.#entries.get(id);
    if (!e) return;
    this.#entries.delete(id);
    this.#points -= e.columns.values.length;
  }
}

// Run ids are 32 hex digits and metric keys hold no NUL, so the pair is unambiguous.
const entryId = (runId: string, key: string) => `${runId}\u0000${key}`;
