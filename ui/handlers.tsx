/**
 * Page handlers: each reads what its page needs straight from `c.var.store` (no HTTP round trip,
 * so the first paint carries data) and renders the page. Islands fetch anything further through
 * `/ajax-api/2.0/mlflow/…`.
 *
 * @module
 */
import type { Context, Handler } from "hono";
import { MlflowError } from "../store/errors.ts";
import type { Experiment, Page, Run } from "../store/types.ts";
import { ComparePage, type ComparePageProps } from "./pages/ComparePage.tsx";
import { ExperimentPage } from "./pages/ExperimentPage.tsx";
import { ExperimentsPage } from "./pages/ExperimentsPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { RunPage, type RunPageProps, type RunRef } from "./pages/RunPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";
import {
  EXPERIMENTS_ORDER,
  parseExperimentView,
  toExperimentFilter,
  viewType,
} from "./shared/experiment_filter.ts";
import { userTags } from "./shared/tags.ts";
import { COMPARE_MAX_RUNS, createLimiter, parseRunIds } from "./shared/compare.ts";
import {
  orderByOf,
  parseRunsState,
  runViewType,
  slimRun,
  type TableRun,
} from "./islands/runs_table/state.ts";

/** Experiments per page of the list, the first server-rendered one included. */
export const EXPERIMENTS_PAGE_SIZE = 100;
/** Runs per page of the experiment's runs table, the first server-rendered one included. */
export const EXPERIMENT_RUNS_LIMIT = 100;
/** How often the runs table refreshes the runs still RUNNING, as the run page's charts do. */
export const RUNS_POLL_MS = 5000;

/** Keeps island props small: system tags (notes, source) are not shown in the list. */
function listRow(e: Experiment): Experiment {
  return { ...e, tags: userTags(e.tags) };
}

/** `GET /`: the experiments list; `?filter=` (name or filter grammar) and `?view=`. */
export const experimentsPage: Handler<UiEnv> = async (c) => {
  const query = c.req.query("filter") ?? "";
  const view = parseExperimentView(c.req.query("view"));
  let page: Page<Experiment> = { items: [] };
  let error: string | null = null;
  try {
    page = await c.var.store.searchExperiments({
      filter: toExperimentFilter(query),
      orderBy: [...EXPERIMENTS_ORDER],
      viewType: viewType(view),
      maxResults: EXPERIMENTS_PAGE_SIZE,
    });
  } catch (err) {
    // A bad filter in the URL is the user's to fix: show the API's message by the search box.
    if (!(err instanceof MlflowError)) throw err;
    error = err.message;
  }
  const list = {
    experiments: page.items.map(listRow),
    nextPageToken: page.nextPageToken ?? null,
    query,
    view,
    error,
    pageSize: EXPERIMENTS_PAGE_SIZE,
  };
  return renderPage(c, <ExperimentsPage list={list} />, { title: "Experiments" });
};

/** The experiment of `/experiments/:experimentId`, or a 404 page `Response`. */
async function loadExperiment(c: Context<UiEnv>): Promise<Experiment | Response> {
  const id = c.req.param("experimentId") ?? "";
  try {
    return await c.var.store.getExperiment(id);
  } catch (err) {
    if (!(err instanceof MlflowError)) throw err;
    return renderPage(
      c,
      <NotFoundPage message={`There is no experiment with ID “${id}”.`} />,
      { title: "Not found", status: 404 },
    );
  }
}

/**
 * `GET /experiments/:experimentId`: the experiment and the `RunsTable` island's first page of
 * runs, searched with the URL's `?filter=`, `?order=`, `?view=` (and showing `?col=` / `?sel=`),
 * so a shared link or a reload shows the same view; the island loads further pages itself.
 */
export const experimentPage: Handler<UiEnv> = async (c) => {
  const experiment = await loadExperiment(c);
  if (experiment instanceof Response) return experiment;
  const id = experiment.experiment_id;
  const state = parseRunsState(new URL(c.req.url).searchParams);
  // A deleted experiment's runs are deleted with it: show them unless a view was asked for.
  if (experiment.lifecycle_stage === "deleted" && !c.req.query("view")) state.view = "all";
  let runs: Page<TableRun> = { items: [] };
  let error: string | null = null;
  try {
    const page = await c.var.store.searchRuns({
      experimentIds: [id],
      filter: state.filter.trim() || undefined,
      orderBy: orderByOf(state),
      runViewType: runViewType(state.view),
      maxResults: EXPERIMENT_RUNS_LIMIT,
    });
    runs = { items: page.items.map(slimRun), nextPageToken: page.nextPageToken };
  } catch (err) {
    // A bad filter or order in the URL is the user's to fix: show the API's message inline.
    if (!(err instanceof MlflowError)) throw err;
    error = err.message;
  }
  const table = {
    experimentId: id,
    runs: runs.items,
    nextPageToken: runs.nextPageToken ?? null,
    state,
    error,
    pageSize: EXPERIMENT_RUNS_LIMIT,
    pollMs: RUNS_POLL_MS,
  };
  return renderPage(c, <ExperimentPage experiment={experiment} table={table} />, {
    title: experiment.name,
  });
};

/**
 * `GET /static/:file`: a file from the asset table, pre-gzipped when the client accepts it. Hashed
 * names are immutable for a year; plain names revalidate with their ETag.
 */
export const staticFile: Handler<UiEnv> = (c) => {
  const hit = c.var.assets.lookup(c.req.param("file") ?? "");
  // Not c.notFound(): the app's fallback would call a GET on a GET route "405".
  if (!hit) return c.text("Not found", 404);
  const { asset, immutable } = hit;
  const gzip = asset.gzip && /\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")
    ? asset.gzip
    : undefined;
  const etag = gzip ? `${asset.etag.slice(0, -1)}.gz"` : asset.etag;
  const headers: Record<string, string> = {
    "Content-Type": asset.contentType,
    "ETag": etag,
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "Vary": "Accept-Encoding",
  };
  if (c.req.header("If-None-Match") === etag) return c.body(null, 304, headers);
  if (gzip) headers["Content-Encoding"] = "gzip";
  return c.body(gzip ?? asset.body, 200, headers);
};

// ---------- run page (/runs/:runId) ----------

/** Child runs listed on the run page. */
export const RUN_CHILDREN_LIMIT = 50;

function runRef(run: { info: RunRef }): RunRef {
  return { run_id: run.info.run_id, run_name: run.info.run_name, status: run.info.status };
}

/** `GET /runs/:runId`: one run, its parent and children; 404 page for an unknown id. */
export const runPage: Handler<UiEnv> = async (c) => {
  const id = c.req.param("runId") ?? "";
  const store = c.var.store;
  let run: RunPageProps["run"];
  try {
    run = await store.getRun(id);
  } catch (err) {
    if (!(err instanceof MlflowError)) throw err;
    return renderPage(
      c,
      <NotFoundPage message={`There is no run with ID “${id}”.`} />,
      { title: "Not found", status: 404 },
    );
  }
  const experiment = await store.getExperiment(run.info.experiment_id).catch(() => null);
  const parentId = run.data.tags.find((t) => t.key === "mlflow.parentRunId")?.value;
  const parent = parentId ? await store.getRun(parentId).then(runRef, () => null) : null;
  const children = await store.searchRuns({
    experimentIds: [run.info.experiment_id],
    filter: `tags.mlflow.parentRunId = '${id.replaceAll("'", "''")}'`,
    maxResults: RUN_CHILDREN_LIMIT,
    runViewType: "ACTIVE_ONLY",
  }).then((p) => p.items.map(runRef), () => []);
  return renderPage(
    c,
    <RunPage
      run={run}
      experiment={experiment &&
        { experiment_id: experiment.experiment_id, name: experiment.name }}
      parent={parent}
      childRuns={children}
    />,
    { title: run.info.run_name || run.info.run_id },
  );
};

// ---------- compare page (/compare?runs=a,b,c) ----------

/** Store reads in flight at once while loading a comparison's runs. */
const COMPARE_LOAD_CONCURRENCY = 16;

/**
 * `GET /compare?runs=a,b,c`: the runs side by side. At most {@linkcode COMPARE_MAX_RUNS} ids
 * (several `runs=` parameters are joined); unknown or malformed ids are listed as not found and
 * skipped; none left gives an empty state with a way back. Never a 500 for a bad parameter.
 */
export const comparePage: Handler<UiEnv> = async (c) => {
  const store = c.var.store;
  const parsed = parseRunIds(c.req.queries("runs") ?? [], COMPARE_MAX_RUNS);
  const limit = createLimiter(COMPARE_LOAD_CONCURRENCY);
  const loaded = await Promise.all(
    parsed.ids.map((id) =>
      limit(() =>
        store.getRun(id).catch((err) => {
          if (err instanceof MlflowError) return null;
          throw err;
        })
      )
    ),
  );
  const runs: Run[] = [];
  const notFound: string[] = [];
  loaded.forEach((run, i) => run ? runs.push(run) : notFound.push(parsed.ids[i]));
  notFound.push(...parsed.malformed);
  const experimentIds = [...new Set(runs.map((r) => r.info.experiment_id))];
  const experiments: ComparePageProps["experiments"] = await Promise.all(
    experimentIds.map((id) =>
      limit(() =>
        store.getExperiment(id).then(
          (e) => ({ experiment_id: id, name: e.name }),
          () => ({ experiment_id: id, name: null }),
        )
      )
    ),
  );
  return renderPage(
    c,
    <ComparePage
      runs={runs}
      experiments={experiments}
      notFound={notFound}
      dropped={parsed.dropped}
    />,
    { title: runs.length ? `Compare ${runs.length} runs` : "Compare runs" },
  );
};
