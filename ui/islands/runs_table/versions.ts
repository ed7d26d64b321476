/**
 * Registered model versions for the Models column: one `model-versions/search` per batch of
 * loaded runs that have models (`run_id IN (…)`), never one request per row, and none at all for
 * an experiment without models. Versions arrive after the first paint.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { isAbort } from "../api.ts";
import { searchRunVersions } from "./api.ts";
import { runIdsFilter } from "./live.ts";
import type { TableRun } from "./state.ts";

/** Run ids per request (the filter goes in a query string). */
const BATCH = 100;
/** Run ids that can go in a filter quoted as they are (every id kvflow and MLflow generate). */
const PLAIN_ID = /^[\w-]+$/;

/** A registered version as the Models cell links it. */
export interface VersionRef {
  name: string;
  version: string;
}

/** `run_id IN (…)` over these ids (the registry's filter grammar). */
export function versionsFilter(ids: readonly string[]): string {
  return runIdsFilter([...ids]).replace(/^attributes\./, "");
}

/** The versions registered from the loaded runs that have models, by run id. */
export function useRunVersions(rows: readonly TableRun[]): ReadonlyMap<string, VersionRef[]> {
  const [versions, setVersions] = useState<ReadonlyMap<string, VersionRef[]>>(new Map());
  const asked = useRef(new Set<string>());
  // Aborted when the table goes away; a new page of rows adds requests, never cancels them.
  const unmounted = useRef(new AbortController());
  useEffect(() => () => unmounted.current.abort(), []);
  const todo = rows.filter((r) => r.models?.length && !asked.current.has(r.info.run_id))
    .map((r) => r.info.run_id).filter((id) => PLAIN_ID.test(id));
  const key = todo.join(",");
  useEffect(() => {
    if (todo.length === 0) return;
    for (const id of todo) asked.current.add(id);
    (async () => {
      for (let i = 0; i < todo.length; i += BATCH) {
        const batch = todo.slice(i, i + BATCH);
        const found = await searchRunVersions(versionsFilter(batch), unmounted.current.signal);
        setVersions((prev) => {
          const next = new Map(prev);
          for (const v of found) {
            if (!v.run_id) continue;
            next.set(v.run_id, [...next.get(v.run_id) ?? [], { name: v.name, version: v.version }]);
          }
          return next;
        });
      }
    })().catch((err) => {
      // No versions shown is the fallback; a later render asks again.
      if (!isAbort(err)) { for (const id of todo) asked.current.delete(id); }
    });
  }, [key]);
  return versions;
}
