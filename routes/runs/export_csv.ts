/**
 * `runs/export-csv`: every run a search matches, as one CSV file with a column per param, metric
 * and tag key, written while the store is paged through rather than built as one string.
 *
 * Streaming means the header has to be known before the first row, so the export makes two
 * passes over the same search: {@linkcode collectKeys} pages through once keeping only the key
 * sets (and a count, to refuse an export over the cap before a byte is sent), then
 * {@linkcode csvStream} pages through again writing rows. Memory is one page of runs plus the
 * keys. A store that can list an experiment's distinct keys could replace the first pass: only
 * {@linkcode ExportKeys} goes from one step to the next.
 *
 * @module
 */
import { invalidParam } from "../../store/errors.ts";
import type { Run, TrackingStore, ViewType } from "../../store/types.ts";
import { csvNumber, csvRecord, csvText, isoTime } from "./csv.ts";

/** What is exported: the arguments of `runs/search`, without paging. */
export interface ExportRunsArgs {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  runViewType?: ViewType;
}

/** The bounds of one export. */
export interface ExportLimits {
  /** Most runs in one file; a search matching more is refused (400) before anything is sent. */
  maxRuns: number;
  /** Most param + metric + tag columns; more is refused the same way. */
  maxKeyColumns: number;
  /** Runs read from the store per search call. */
  pageSize: number;
}

/** The limits the route uses (stated in its OpenAPI description). */
export const EXPORT_LIMITS: Readonly<ExportLimits> = Object.freeze({
  maxRuns: 100_000,
  maxKeyColumns: 20_000,
  pageSize: 1000,
});

/** The key columns of an export, each list sorted. */
export interface ExportKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** The columns every export starts with, before the `params.` / `metrics.` / `tags.` ones. */
export const FIXED_COLUMNS = [
  "run_id",
  "run_name",
  "experiment_id",
  "status",
  "lifecycle_stage",
  "user_id",
  "start_time",
  "end_time",
  "duration_ms",
  "source",
  "parent_run_id",
] as const;

const SOURCE_TAG = "mlflow.source.name";
const PARENT_TAG = "mlflow.parentRunId";

/** Rows encoded per chunk the stream hands on. */
const ROWS_PER_CHUNK = 100;

/** Every page of the search, stopping after `maxRuns + 1` runs (enough to know it is over). */
async function* pages(
  store: TrackingStore,
  args: ExportRunsArgs,
  limits: ExportLimits,
): AsyncGenerator<Run[]> {
  let token: string | undefined;
  let seen = 0;
  do {
    const page = await store.searchRuns({
      experimentIds: args.experimentIds,
      filter: args.filter,
      orderBy: args.orderBy,
      runViewType: args.runViewType,
      maxResults: Math.min(limits.pageSize, limits.maxRuns + 1 - seen),
      pageToken: token,
    });
    seen += page.items.length;
    yield page.items;
    token = page.nextPageToken;
  } while (token !== undefined && seen <= limits.maxRuns);
}

/**
 * The first pass: the sorted param, metric and tag keys of every matching run. Throws
 * `INVALID_PARAMETER_VALUE` when more than `maxRuns` runs match or there would be more than
 * `maxKeyColumns` key columns (a bad filter or order fails here too, as in `runs/search`).
 */
export async function collectKeys(
  store: TrackingStore,
  args: ExportRunsArgs,
  limits: ExportLimits = EXPORT_LIMITS,
): Promise<ExportKeys> {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  let runs = 0;
  for await (const page of pages(store, args, limits)) {
    runs += page.length;
    if (runs > limits.maxRuns) {
      throw invalidParam(
        `More than ${limits.maxRuns} runs match; narrow the filter to export them as CSV`,
      );
    }
    for (const { data } of page) {
      for (const p of data.params) params.add(p.key);
      for (const m of data.metrics) metrics.add(m.key);
      for (const t of data.tags) tags.add(t.key);
    }
    if (params.size + metrics.size + tags.size > limits.maxKeyColumns) {
      throw invalidParam(
        `The matching runs have more than ${limits.maxKeyColumns} distinct param, metric and ` +
          `tag keys; narrow the filter to export them as CSV`,
      );
    }
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) };
}

/** The header record: the fixed columns, then `params.<key>`, `metrics.<key>`, `tags.<key>`. */
export function headerRecord(keys: ExportKeys): string {
  return csvRecord([
    ...FIXED_COLUMNS,
    ...keys.params.map((k) => `params.${k}`),
    ...keys.metrics.map((k) => `metrics.${k}`),
    ...keys.tags.map((k) => `tags.${k}`),
  ].map(csvText));
}

/**
 * One run's record. Metrics are their latest values (what `runs/search` returns); a key the run
 * lacks is an empty cell; a key missing from `keys` (first logged after the first pass) is left
 * out rather than shifting the columns.
 */
export function runRecord(run: Run, keys: ExportKeys): string {
  const { info, data } = run;
  const params = new Map(data.params.map((p) => [p.key, p.value]));
  const metrics = new Map(data.metrics.map((m) => [m.key, m.value]));
  const tags = new Map(data.tags.map((t) => [t.key, t.value]));
  const text = (v: string | undefined) => v === undefined ? "" : csvText(v);
  return csvRecord([
    csvText(info.run_id),
    csvText(info.run_name),
    csvText(info.experiment_id),
    csvText(info.status),
    csvText(info.lifecycle_stage),
    csvText(info.user_id),
    isoTime(info.start_time),
    isoTime(info.end_time),
    info.end_time === undefined ? "" : String(info.end_time - info.start_time),
    text(tags.get(SOURCE_TAG)),
    text(tags.get(PARENT_TAG)),
    ...keys.params.map((k) => text(params.get(k))),
    ...keys.metrics.map((k) => {
      const v = metrics.get(k);
      return v === undefined ? "" : csvNumber(v);
    }),
    ...keys.tags.map((k) => text(tags.get(k))),
  ]);
}

/**
 * The second pass, as UTF-8 bytes: a byte-order mark, the header, then a record per run in the
 * search's order, at most `maxRuns`. Each pull encodes at most {@linkcode ROWS_PER_CHUNK} runs and
 * reads the next page only when the last is written, so a slow reader holds the store back
 * instead of buffering; cancelling the download stops the paging.
 *
 * The BOM is there for Excel, which otherwise opens a UTF-8 CSV as the system code page
 * (mojibake for `é`, `ü`, `学习率`); pandas' `read_csv` (and Python's `utf-8-sig`) drop it.
 */
export function csvStream(
  store: TrackingStore,
  args: ExportRunsArgs,
  keys: ExportKeys,
  limits: ExportLimits = EXPORT_LIMITS,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = pages(store, args, limits);
  let pending: Run[] = [];
  let at = 0;
  let written = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode("\uFEFF" + headerRecord(keys)));
        return;
      }
      while (at >= pending.length) {
        const next = written >= limits.maxRuns ? undefined : await it.next();
        if (next === undefined || next.done) {
          controller.close();
          return;
        }
        pending = next.value;
        at = 0;
      }
      const room = Math.min(ROWS_PER_CHUNK, limits.maxRuns - written);
      const slice = pending.slice(at, at + room);
      at += slice.length;
      written += slice.length;
      controller.enqueue(encoder.encode(slice.map((r) => runRecord(r, keys)).join("")));
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
