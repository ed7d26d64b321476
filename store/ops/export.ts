/**
 * `deno task export`: a store as a stream of {@linkcode ExportRecord}s, read page by page through
 * the store's public methods so a store of any size streams in constant memory (one page of
 * experiments, runs, points or models at a time).
 *
 * What is left out: soft-deleted logged models (the store hides them everywhere), and, with
 * `experimentIds`, the registry and registered-model grants (its versions may name runs outside
 * the chosen experiments). Users and grants come only with `authStore`; API tokens and sessions
 * are never exported (their secrets exist only as digests, and a session is short-lived).
 *
 * @module
 */
import { copyProxiedTree } from "../../artifacts/copy.ts";
import type { ArtifactRepository } from "../../artifacts/types.ts";
import type { AuthStore } from "../auth/types.ts";
import type { LoggedModel } from "../logged_models/types.ts";
import type { Experiment, Run, TrackingStore } from "../types.ts";
import {
  EXPORT_FORMAT,
  type ExportedPoint,
  type ExportRecord,
  MAX_POINTS_PER_RECORD,
  toWireNumber,
} from "./export_format.ts";

/** Experiments, runs or registered models read per page. */
export const EXPORT_PAGE_SIZE = 500;
/** Model versions read per page (one registered model's versions). */
export const EXPORT_VERSION_PAGE_SIZE = 1000;
/** Logged models read per page (the store's most per search is 50000; a page stays small). */
export const EXPORT_MODEL_PAGE_SIZE = 200;

/** Options of {@linkcode exportRecords}. */
export interface ExportOptions {
  /** Only these experiments (their runs and logged models); the registry is then left out. */
  experimentIds?: string[];
  /**
   * Copies each run's and logged model's proxied artifacts (`mlflow-artifacts:/…`) from `from`
   * (the artifact destination) to `to` in the proxy layout, as their records are written.
   */
  artifacts?: { from: ArtifactRepository; to: ArtifactRepository };
  /** The auth store: its users (with password hashes) and grants are exported too. */
  authStore?: AuthStore;
  /** Progress lines (every experiment, every 100 runs). */
  onProgress?: (line: string) => void;
  /** What was not exported, e.g. artifacts outside the proxy. */
  onWarning?: (subject: string, message: string) => void;
}

/**
 * The records of `store`: the header, every experiment (all lifecycle stages), every live
 * logged model, every run with its metric histories (every point, in pages of at most
 * {@linkcode MAX_POINTS_PER_RECORD}), inputs and outputs, then the registry.
 *
 * @example
 * ```ts
 * await writeExportFile("backup.jsonl.gz", exportRecords(store));
 * ```
 */
export async function* exportRecords(
  store: TrackingStore,
  opts: ExportOptions = {},
): AsyncGenerator<ExportRecord> {
  yield { type: "header", format: EXPORT_FORMAT, exported_at: Date.now(), source: "kvflow" };
  const ids: string[] = [];
  for await (const e of experiments(store, opts.experimentIds)) {
    ids.push(e.experiment_id);
    yield { type: "experiment", experiment: e };
  }
  for (const id of ids) {
    for await (const model of loggedModels(store, id)) {
      yield { type: "logged_model", model: { ...model, data: { ...model.data, metrics: [] } } };
      await copyArtifacts(opts, `logged model ${model.info.model_id}`, model.info.artifact_uri);
    }
  }
  let runs = 0;
  for (const id of ids) {
    opts.onProgress?.(`experiment ${id}`);
    for await (const run of runsOf(store, id)) {
      yield* runRecords(store, run);
      await copyArtifacts(opts, `run ${run.info.run_id}`, run.info.artifact_uri);
      if (++runs % 100 === 0) opts.onProgress?.(`${runs} runs`);
    }
  }
  if (opts.experimentIds === undefined) yield* registry(store);
  if (opts.authStore) yield* users(opts.authStore, opts.experimentIds);
}

/** Every user, each followed by their grants (with `only`, experiment grants on those only). */
async function* users(auth: AuthStore, only: string[] | undefined): AsyncGenerator<ExportRecord> {
  const chosen = only && new Set(only);
  const listed = pages((pageToken) => auth.listUsers({ maxResults: EXPORT_PAGE_SIZE, pageToken }));
  for await (const page of listed) {
    for (const u of page.users) {
      const full = await auth.getUser(u.username);
      const password_hash = await auth.getPasswordHash(u.username);
      yield { type: "user", user: { username: u.username, password_hash, is_admin: u.is_admin } };
      for (const g of full.experiment_permissions) {
        if (chosen && !chosen.has(g.experiment_id)) continue;
        yield {
          type: "grant",
          grant: { username: u.username, experiment_id: g.experiment_id, permission: g.permission },
        };
      }
      if (chosen) continue;
      for (const g of full.registered_model_permissions) {
        yield {
          type: "grant",
          grant: { username: u.username, registered_model_name: g.name, permission: g.permission },
        };
      }
    }
  }
}

async function* experiments(
  store: TrackingStore,
  only: string[] | undefined,
): AsyncGenerator<Experiment> {
  if (only !== undefined) {
    for (const id of only) yield await store.getExperiment(id);
    return;
  }
  const listed = pages((pageToken) =>
    store.searchExperiments({
      viewType: "ALL",
      maxResults: EXPORT_PAGE_SIZE,
      orderBy: ["experiment_id ASC"],
      pageToken,
    })
  );
  for await (const page of listed) yield* page.items;
}

async function* loggedModels(store: TrackingStore, experimentId: string) {
  const listed = pages((pageToken) =>
    store.searchLoggedModels({
      experimentIds: [experimentId],
      maxResults: EXPORT_MODEL_PAGE_SIZE,
      pageToken,
    })
  );
  for await (const page of listed) yield* page.items as LoggedModel[];
}

async function* runsOf(store: TrackingStore, experimentId: string): AsyncGenerator<Run> {
  const listed = pages((pageToken) =>
    store.searchRuns({
      experimentIds: [experimentId],
      runViewType: "ALL",
      maxResults: EXPORT_PAGE_SIZE,
      pageToken,
    })
  );
  for await (const page of listed) yield* page.items;
}

async function* runRecords(store: TrackingStore, listed: Run): AsyncGenerator<ExportRecord> {
  const runId = listed.info.run_id;
  // A search page may leave out inputs; one read of the run has everything.
  const run = await store.getRun(runId);
  yield { type: "run", info: run.info, params: run.data.params, tags: run.data.tags };
  for (const key of new Set(run.data.metrics.map((m) => m.key))) {
    const history = pages((pageToken) =>
      store.getMetricHistory(runId, key, { maxResults: MAX_POINTS_PER_RECORD, pageToken })
    );
    for await (const page of history) {
      if (page.items.length > 0) {
        const points = page.items.map((m) => {
          const p: ExportedPoint = {
            value: toWireNumber(m.value),
            timestamp: m.timestamp,
            step: m.step,
          };
          if (m.model_id !== undefined) p.model_id = m.model_id;
          if (m.dataset_name !== undefined) p.dataset_name = m.dataset_name;
          if (m.dataset_digest !== undefined) p.dataset_digest = m.dataset_digest;
          return p;
        });
        yield { type: "metric_points", run_id: runId, key, points };
      }
    }
  }
  const { dataset_inputs, model_inputs } = run.inputs;
  if (dataset_inputs.length > 0 || model_inputs.length > 0) {
    yield { type: "run_inputs", run_id: runId, dataset_inputs, model_inputs };
  }
  if (run.outputs.model_outputs.length > 0) {
    yield { type: "run_outputs", run_id: runId, model_outputs: run.outputs.model_outputs };
  }
}

/** A filter string literal: SQL-style, a quote doubled. */
function quoted(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

async function* registry(store: TrackingStore): AsyncGenerator<ExportRecord> {
  const listed = pages((pageToken) =>
    store.searchRegisteredModels({ maxResults: EXPORT_PAGE_SIZE, orderBy: ["name ASC"], pageToken })
  );
  for await (const page of listed) {
    for (const model of page.items) {
      const versions = [];
      const listedVersions = pages((pageToken) =>
        store.searchModelVersions({
          filter: `name = ${quoted(model.name)}`,
          orderBy: ["version_number ASC"],
          maxResults: EXPORT_VERSION_PAGE_SIZE,
          pageToken,
        })
      );
      for await (const vp of listedVersions) {
        versions.push(...vp.items.filter((v) => v.name === model.name));
      }
      yield { type: "registered_model", model, versions };
    }
  }
}

/**
 * Each page of a listing, `read(pageToken)` from the first page until one has no next token:
 * one page held at a time.
 */
async function* pages<P extends { nextPageToken?: string }>(
  read: (pageToken: string | undefined) => Promise<P>,
): AsyncGenerator<P> {
  let pageToken: string | undefined;
  do {
    const page = await read(pageToken);
    yield page;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

async function copyArtifacts(opts: ExportOptions, subject: string, uri: string): Promise<void> {
  if (!opts.artifacts) return;
  const { from, to } = opts.artifacts;
  await copyProxiedTree(from, uri, to, uri, (message) => opts.onWarning?.(subject, message));
}
