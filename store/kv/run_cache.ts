/**
 * What this process last knew of a run's write state, so repeated writes to a run skip reads.
 *
 * Safe across processes because every write to a run checks the run head's versionstamp: when
 * another process or isolate wrote the run since we cached it, our commit's check fails, the entry
 * is dropped and the write re-plans from fresh reads. A hit therefore plans against exactly what
 * KV holds. Entries are bounded (least recently used first out).
 *
 * @module
 */
import type { MetricHead } from "./metric_history.ts";
import type { ExperimentRecord, RunHead, RunRecord } from "./records.ts";

/** A run's write state as of one head versionstamp. */
export interface CachedRunState {
  run: RunRecord;
  head: RunHead | null;
  headVersionstamp: string | null;
  exp: ExperimentRecord;
  expVersionstamp: string;
  /** Known param values (null = known absent). */
  params: Map<string, string | null>;
  /** True when `params` holds every param of the run (a run this process created). */
  paramsComplete: boolean;
  /** Known metric heads (null = known absent). */
  metrics: Map<string, MetricHead | null>;
  metricsComplete: boolean;
  /** Known tag values (null = known absent). */
  tags: Map<string, string | null>;
  tagsComplete: boolean;
}

// Enough for thousands of concurrently logging runs; each entry holds what one run's writes read.
const DEFAULT_CAPACITY = 2_000;

/** A bounded LRU map of run id → cached write state. */
export class RunCache {
  #entries = new Map<string, CachedRunState>();
  #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get(runId: string): CachedRunState | undefined {
    const e = this.#entries.get(runId);
    if (e) {
      this.#entries.delete(runId);
      this.#entries.set(runId, e);
    }
    return e;
  }

  set(runId: string, state: CachedRunState): void {
    this.#entries.delete(runId);
    this.#entries.set(runId, state);
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  delete(runId: string): void {
    this.#entries.delete(runId);
  }
}
