/**
 * What every store's `listGcCandidates` does with a query, written once: named ids are all looked
 * up before anything is yielded (so a typo purges nothing), and only candidates old enough pass
 * (an interrupted purge always does). The stores supply the lookups and the full listing.
 *
 * @module
 */
import type { GcCandidate, GcCandidateQuery } from "./purge_types.ts";

/** How a store finds gc candidates (see {@linkcode listCandidates}). */
export interface CandidateSource {
  /** A named run as a candidate; throws for an unknown or active one. */
  namedRun(id: string): GcCandidate | Promise<GcCandidate>;
  /** A named experiment as a candidate; throws for an unknown or active one. */
  namedExperiment(id: string): GcCandidate | Promise<GcCandidate>;
  /** Every candidate, interrupted purges first (called once, when the listing starts). */
  all(): AsyncIterable<GcCandidate> | Iterable<GcCandidate>;
}

/** The candidates `q` selects from `source` (see `PurgeMethods.listGcCandidates`). */
export async function* listCandidates(
  q: GcCandidateQuery,
  source: CandidateSource,
): AsyncGenerator<GcCandidate> {
  const old = (c: GcCandidate) => c.purging || c.deleted_time <= (q.deletedBefore ?? Infinity);
  if (q.runIds !== undefined || q.experimentIds !== undefined) {
    const named: GcCandidate[] = [];
    // Runs before experiments: a named run in a named experiment is purged before it.
    for (const id of new Set(q.runIds ?? [])) named.push(await source.namedRun(id));
    for (const id of new Set(q.experimentIds ?? [])) named.push(await source.namedExperiment(id));
    for (const c of named) if (old(c)) yield c;
    return;
  }
  for await (const c of source.all()) if (old(c)) yield c;
}
