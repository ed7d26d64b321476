/**
 * Page handlers: each reads what its page needs straight from `c.var.store` (no HTTP round trip,
 * so the first paint carries data) and renders the page. Islands fetch anything further through
 * `/ajax-api/2.0/mlflow/…`.
 *
 * @module
 */
import type { Handler } from "hono";
import { MlflowError } from "../store/errors.ts";
import type { Experiment, Page } from "../store/types.ts";
import { ExperimentPage } from "./pages/ExperimentPage.tsx";
import { ExperimentsPage } from "./pages/ExperimentsPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";
import {
  EXPERIMENTS_ORDER,
  parseExperimentView,
  toExperimentFilter,
  viewType,
} from "./shared/experiment_filter.ts";
import { userTags } from "./shared/tags.ts";

/** Experiments per page of the list, the first server-rendered one included. */
export const EXPERIMENTS_PAGE_SIZE = 100;
/** Runs shown on the experiment page. */
export const EXPERIMENT_RUNS_LIMIT = 100;

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

/** `GET /experiments/:experimentId`: the experiment and its latest runs. */
export const experimentPage: Handler<UiEnv> = async (c) => {
  const id = c.req.param("experimentId") ?? "";
  let experiment: Experiment;
  try {
    experiment = await c.var.store.getExperiment(id);
  } catch (err) {
    if (!(err instanceof MlflowError)) throw err;
    return renderPage(
      c,
      <NotFoundPage message={`There is no experiment with ID “${id}”.`} />,
      { title: "Not found", status: 404 },
    );
  }
  const runs = await c.var.store.searchRuns({
    experimentIds: [id],
    maxResults: EXPERIMENT_RUNS_LIMIT,
    runViewType: experiment.lifecycle_stage === "deleted" ? "ALL" : "ACTIVE_ONLY",
  });
  return renderPage(
    c,
    <ExperimentPage experiment={experiment} runs={runs.items} more={!!runs.nextPageToken} />,
    { title: experiment.name },
  );
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
