/**
 * Page handlers: each reads what its page needs straight from `c.var.store` (no HTTP round trip,
 * so the first paint carries data) and renders the page. Islands fetch anything further through
 * `/ajax-api/2.0/mlflow/…`.
 *
 * @module
 */
import type { Context, Handler } from "hono";
import { proxiedPath } from "../artifacts/uri.ts";
import { statusForCode } from "../routes/errors.ts";
import { allows } from "../routes/auth/permissions.ts";
import { MlflowError } from "../store/errors.ts";
import type { LoggedModel, LoggedModelInfo } from "../store/logged_models/types.ts";
import type { ModelVersion, RegisteredModel } from "../store/registry/types.ts";
import type { Experiment, Page, Run, TrackingStore } from "../store/types.ts";
import { ComparePage, type ComparePageProps } from "./pages/ComparePage.tsx";
import { ExperimentPage } from "./pages/ExperimentPage.tsx";
import { ExperimentsPage } from "./pages/ExperimentsPage.tsx";
import { ExperimentsComparePage } from "./pages/ExperimentsComparePage.tsx";
import { parseExperimentIds } from "./shared/experiment_ids.ts";
import { LoggedModelPage } from "./pages/LoggedModelPage.tsx";
import { ModelsPage } from "./pages/ModelsPage.tsx";
import { NotFoundPage, type NotFoundPageProps } from "./pages/NotFoundPage.tsx";
import { ForbiddenPage, type ForbiddenPageProps } from "./pages/ForbiddenPage.tsx";
import { ModelVersionPage } from "./pages/ModelVersionPage.tsx";
import { RegisteredModelPage, type RegistryMay } from "./pages/RegisteredModelPage.tsx";
import { readSignature } from "./model_signature.ts";
import { type LoggedModelRef, RunPage, type RunRef } from "./pages/RunPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";
import {
  EXPERIMENTS_ORDER,
  parseExperimentView,
  toExperimentFilter,
  viewType,
} from "./shared/experiment_filter.ts";
import { byKey, userTags } from "./shared/tags.ts";
import { COMPARE_MAX_RUNS, createLimiter, parseRunIds } from "./shared/compare.ts";
import {
  filterLiteral,
  loggedModelIdOf,
  proxyDownloadBase,
  toModelFilter,
  versionPointsAt,
} from "./shared/models.ts";
import {
  orderByOf,
  parseRunsState,
  type RunsTableState,
  runViewType,
  slimRun,
  type TableRun,
} from "./islands/runs_table/state.ts";
import { type CardRequest, chartRequests } from "./islands/runs_table/chart_state.ts";
import { downsampledBulkReply } from "../routes/metrics/downsampled_bulk.ts";
import type { PageReply } from "./page_replies.ts";
import { LIVE_POLL_MS } from "./shared/live.ts";
import { CHART_KEY_PARAM, initialCards, MAX_CHART_KEYS } from "./shared/chart_keys.ts";
import { API_BASE } from "./islands/api.ts";
import { CHART_BUCKETS, downsampledHistoryPath } from "./islands/run_page/api.ts";
import { getMetricHistoryDownsampled } from "../store/history_views.ts";
import { encodeWireJson } from "../routes/respond.ts";
import { mayLearnAbsence, type ViewerLevel, viewerLevel } from "./page_access.ts";
import { isPrompt, modelsOnlyFilter, promptHref } from "./shared/prompts.ts";
import type { AccessPanelProps } from "./islands/AccessPanel.tsx";

/** Experiments per page of the list, the first server-rendered one included. */
export const EXPERIMENTS_PAGE_SIZE = 100;
/** Runs per page of the experiment's runs table, the first server-rendered one included. */
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
  const access = await c.var.access();
  try {
    page = await c.var.store.searchExperiments({
      filter: toExperimentFilter(query),
      orderBy: [...EXPERIMENTS_ORDER],
      viewType: viewType(view),
      maxResults: EXPERIMENTS_PAGE_SIZE,
      // Only what the viewer may read; the store refills the page past hidden ones.
      visible: access.all ? undefined : access.experiment,
    });
  } catch (err) {
    // A bad filter in the URL is the user's to fix: show the API's message by the search box.
    if (!isCallersError(err)) throw err;
    error = err.message;
  }
  const list = {
    experiments: page.items.map(listRow),
    nextPageToken: page.nextPageToken ?? null,
    query,
    view,
    error,
    pageSize: EXPERIMENTS_PAGE_SIZE,
    purgeable: await purgeableExperiments(c),
  };
  return renderPage(c, <ExperimentsPage list={list} />, { title: "Experiments" });
};

/** Whether a viewer at `level` may delete permanently (MANAGE); null: auth is off, anyone may. */
function mayManage(level: ViewerLevel): boolean {
  return level === null || level === "ADMIN" || level === "MANAGE";
}

/** Whether a viewer at `level` may `capability` (the API's check); null: auth is off, anyone may. */
function mayDo(level: ViewerLevel, capability: "update" | "delete"): boolean {
  return level === null || level === "ADMIN" || allows(level, capability);
}

/**
 * Which experiments the viewer may delete permanently (the list's "Delete permanently"): all
 * without auth, for admins and with a MANAGE default; else those the viewer holds MANAGE on.
 */
async function purgeableExperiments(c: Context<UiEnv>): Promise<"all" | string[]> {
  const { auth, user } = c.var;
  if (auth === undefined || user === undefined || user.is_admin) return "all";
  if (auth.defaultPermission === "MANAGE") return "all";
  // A user deleted since they signed in: no grants (the API refuses their calls anyway).
  const { experiment_permissions } = await auth.store.getUser(user.username)
    .catch(() => ({
      experiment_permissions: [] as { experiment_id: string; permission: string }[],
    }));
  return experiment_permissions.filter((p) => p.permission === "MANAGE").map((p) =>
    p.experiment_id
  );
}

/**
 * Whether a store error is about what the page asked for (a missing entity, a bad filter), which
 * the page shows. A server-side failure (KV unreachable, contention that did not clear: a 5xx
 * code) is not: it propagates to routes/errors.ts, which logs it and answers its 5xx, rather
 * than passing for a 404.
 */
export function isCallersError(err: unknown): err is MlflowError {
  return err instanceof MlflowError && statusForCode(err.code) < 500;
}

/**
 * The runs table's first page over `experimentIds`, searched with the URL's table state. A bad
 * filter or order in the URL is the user's to fix: it comes back as `error` (the API's message,
 * shown inline) with no runs, while a server-side failure propagates.
 */
async function firstRunsPage(
  store: TrackingStore,
  experimentIds: string[],
  state: RunsTableState,
): Promise<{ runs: Page<TableRun>; error: string | null }> {
  try {
    const page = await store.searchRuns({
      experimentIds,
      filter: state.filter.trim() || undefined,
      orderBy: orderByOf(state),
      runViewType: runViewType(state.view),
      maxResults: EXPERIMENT_RUNS_LIMIT,
    });
    return {
      runs: { items: page.items.map(slimRun), nextPageToken: page.nextPageToken },
      error: null,
    };
  } catch (err) {
    if (!isCallersError(err)) throw err;
    return { runs: { items: [] }, error: err.message };
  }
}

/** The 403 page (status 403) saying `props.message`, as a `Response` for the handler to return. */
export function forbidden(c: Context<UiEnv>, props: ForbiddenPageProps): Response {
  return renderPage(c, <ForbiddenPage {...props} />, { title: "Permission denied", status: 403 });
}

/**
 * What `read` returns, or — when it fails with an `MlflowError` (the entity does not exist) — the
 * 404 page saying `notFound`, as a `Response` for the handler to return. Other errors propagate.
 * With `hidden`, a viewer who may not learn what exists (see `mayLearnAbsence`) gets that 403
 * page instead, as they would for an entity that exists and is not theirs.
 */
export async function orNotFound<T>(
  c: Context<UiEnv>,
  read: () => Promise<T>,
  notFound: NotFoundPageProps,
  hidden?: ForbiddenPageProps,
): Promise<T | Response> {
  try {
    return await read();
  } catch (err) {
    if (!isCallersError(err)) throw err;
    if (hidden && !mayLearnAbsence(c)) return forbidden(c, hidden);
    return renderPage(c, <NotFoundPage {...notFound} />, { title: "Not found", status: 404 });
  }
}

/** What a viewer who may not read an experiment (or a run or model in it) is told. */
const EXPERIMENT_FORBIDDEN: ForbiddenPageProps = {
  message: "You do not have permission to read this experiment.",
};
const RUN_FORBIDDEN: ForbiddenPageProps = {
  message: "You do not have permission to read this run's experiment.",
};
const LOGGED_MODEL_FORBIDDEN: ForbiddenPageProps = {
  message: "You do not have permission to read this logged model's experiment.",
};
const MODEL_FORBIDDEN: ForbiddenPageProps = {
  message: "You do not have permission to read this registered model.",
  back: { href: "/models", label: "models" },
  active: "models",
};

/**
 * The experiment of `/experiments/:experimentId`, or a 403 page `Response` when the viewer may
 * not read it (decided before reading, so existence is not revealed), or a 404 page.
 */
async function loadExperiment(c: Context<UiEnv>): Promise<Experiment | Response> {
  const id = c.req.param("experimentId") ?? "";
  if (!(await c.var.access()).experiment(id)) return forbidden(c, EXPERIMENT_FORBIDDEN);
  return orNotFound(c, () => c.var.store.getExperiment(id), {
    message: `There is no experiment with ID “${id}”.`,
  });
}

/**
 * The "Access" panel's props for the experiment or registered model, or undefined when the
 * viewer may not manage its grants (or auth is off). The level is computed here, on the server:
 * the panel's island only shows what the page decided.
 */
async function accessPanel(
  c: Context<UiEnv>,
  target: { experimentId: string } | { registeredModel: string },
): Promise<AccessPanelProps | undefined> {
  const level = await viewerLevel(c, target);
  const auth = c.var.auth;
  if (auth === undefined || (level !== "ADMIN" && level !== "MANAGE")) return undefined;
  if ("experimentId" in target) {
    const grants = await auth.store.listExperimentGrants(target.experimentId);
    return { kind: "experiment", resource: target.experimentId, grants, viewerLevel: level };
  }
  const grants = await auth.store.listRegisteredModelGrants(target.registeredModel);
  return { kind: "registered_model", resource: target.registeredModel, grants, viewerLevel: level };
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
  const { runs, error } = await firstRunsPage(c.var.store, [id], state);
  const level = await viewerLevel(c, { experimentId: id });
  const table = {
    experimentId: id,
    runs: runs.items,
    nextPageToken: runs.nextPageToken ?? null,
    state,
    error,
    pageSize: EXPERIMENT_RUNS_LIMIT,
    pollMs: LIVE_POLL_MS,
    canPurge: mayManage(level),
  };
  const access = await accessPanel(c, { experimentId: id });
  const cards = state.charts ? chartRequests(runs.items, state.charts) : [];
  return renderPage(
    c,
    <ExperimentPage
      experiment={experiment}
      table={table}
      access={access}
      canEdit={mayDo(level, "update")}
    />,
    {
      title: experiment.name,
      // The chart view's first cards come inside the page, the next are preloaded: the cards
      // then need not wait for the script to load before their data is on its way.
      replies: cards.slice(0, PAGE_CARD_REPLIES).map((r) => cardReply(c.var.store, r)),
      preload: cards.slice(PAGE_CARD_REPLIES, PAGE_CARD_REPLIES * 2).map((r) => r.url),
    },
  );
};

/**
 * Chart cards whose first read the experiment page sends inside itself (as many as the cards
 * fetch at once); as many again are preloaded.
 */
const PAGE_CARD_REPLIES = 6;

/**
 * A card's first bulk read, answered as the API would. The viewer may read every run in it: they
 * are the experiment's, which the page has checked.
 */
function cardReply(store: TrackingStore, r: CardRequest): PageReply {
  return {
    url: r.url,
    reply: () =>
      downsampledBulkReply(store, {
        run_ids: r.runIds,
        metric_key: r.key,
        buckets: r.buckets,
        x: r.x,
        format: "xy",
      }),
  };
}

/** Store reads in flight at once while loading the experiments of a comparison. */
const EXPERIMENTS_LOAD_CONCURRENCY = 8;

/**
 * `GET /experiments/compare/:ids` (`1,7,…`): the runs of several experiments in one `RunsTable`
 * with an Experiment column, searched with the URL's `?filter=`, `?order=`, `?view=` as on one
 * experiment's page. No ids, a malformed one or more than `MAX_COMPARE_EXPERIMENTS` give the page
 * with the reason (400). One experiment the viewer may not read refuses the whole page (403), as
 * one experiment's page does; a missing one is a 404 (a 403 for viewers who may not learn it).
 */
export const experimentsComparePage: Handler<UiEnv> = async (c) => {
  const { ids, error } = parseExperimentIds(c.req.param("ids") ?? "");
  if (error !== null) {
    return renderPage(c, <ExperimentsComparePage experiments={[]} table={null} error={error} />, {
      title: "Compare experiments",
      status: 400,
    });
  }
  const access = await c.var.access();
  if (ids.some((id) => !access.experiment(id))) {
    return forbidden(c, {
      message: "You do not have permission to read every experiment in this comparison.",
    });
  }
  const store = c.var.store;
  const limit = createLimiter(EXPERIMENTS_LOAD_CONCURRENCY);
  const found = await Promise.all(
    ids.map((id) =>
      limit(() =>
        store.getExperiment(id).catch((err) => {
          if (isCallersError(err)) return null;
          throw err;
        })
      )
    ),
  );
  const missing = ids.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    if (!mayLearnAbsence(c)) return forbidden(c, EXPERIMENT_FORBIDDEN);
    return renderPage(
      c,
      <NotFoundPage message={`There is no experiment with ID “${missing[0]}”.`} />,
      { title: "Not found", status: 404 },
    );
  }
  const experiments = found.filter((e): e is Experiment => e !== null);
  const state = parseRunsState(new URL(c.req.url).searchParams);
  const { runs, error: searchError } = await firstRunsPage(store, ids, state);
  const levels = await Promise.all(ids.map((id) => viewerLevel(c, { experimentId: id })));
  const refs = experiments.map((e) => ({ experiment_id: e.experiment_id, name: e.name }));
  const table = {
    experimentId: ids[0],
    experiments: refs,
    runs: runs.items,
    nextPageToken: runs.nextPageToken ?? null,
    state,
    error: searchError,
    pageSize: EXPERIMENT_RUNS_LIMIT,
    pollMs: LIVE_POLL_MS,
    canPurge: levels.every(mayManage),
  };
  return renderPage(c, <ExperimentsComparePage experiments={refs} table={table} />, {
    title: `Compare ${refs.map((e) => e.name).join(", ")}`,
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
  const run = await orNotFound(c, () => store.getRun(id), {
    message: `There is no run with ID “${id}”.`,
  }, RUN_FORBIDDEN);
  if (run instanceof Response) return run;
  const access = await c.var.access();
  if (!access.experiment(run.info.experiment_id)) return forbidden(c, RUN_FORBIDDEN);
  const experimentId = run.info.experiment_id;
  const parentId = run.data.tags.find((t) => t.key === "mlflow.parentRunId")?.value;
  // Independent reads, issued together: the store shares round trips between them.
  const [names, parent, children, loggedModels, level] = await Promise.all([
    store.getExperimentNames([experimentId]).catch(() => new Map<string, string>()),
    // A parent in an experiment the viewer may not read is shown as its id only.
    parentId
      ? store.getRun(parentId).then(
        (p) => access.experiment(p.info.experiment_id) ? runRef(p) : null,
        () => null,
      )
      : null,
    store.searchRuns({
      experimentIds: [experimentId],
      filter: `tags.mlflow.parentRunId = '${id.replaceAll("'", "''")}'`,
      maxResults: RUN_CHILDREN_LIMIT,
      runViewType: "ACTIVE_ONLY",
    }).then((p) => p.items.map(runRef), () => []),
    runLoggedModels(store, run, access.experiment),
    viewerLevel(c, { experimentId }),
  ]);
  const experimentName = names.get(experimentId);
  const chartKeys = chartKeysParam(c);
  return renderPage(
    c,
    <RunPage
      run={run}
      experiment={experimentName === undefined
        ? null
        : { experiment_id: experimentId, name: experimentName }}
      parent={parent}
      childRuns={children}
      loggedModels={loggedModels}
      may={{ rename: mayDo(level, "update"), delete: mayDo(level, "delete") }}
      artifact={artifactParam(c)}
      chartKeys={chartKeys}
    />,
    {
      title: run.info.run_name || run.info.run_id,
      // The first cards' reads, sent inside the page (ui/page_replies.ts): the cards draw at
      // hydration instead of asking once the script has loaded.
      replies: initialCards(chartKeys, sortedMetricKeys(run))
        .slice(0, RUN_PAGE_CARD_REPLIES)
        .map((key) => metricCardReply(store, id, key)),
    },
  );
};

/** Run-page cards whose first read the page carries; the others ask for theirs. */
const RUN_PAGE_CARD_REPLIES = 4;

/** The run's metric keys in the order the run page lists them (its island gets the same). */
function sortedMetricKeys(run: Run): string[] {
  return [...run.data.metrics].sort(byKey).map((m) => m.key);
}

/** A run-page card's first read, answered as the API answers it (same query, same bytes). */
function metricCardReply(store: TrackingStore, runId: string, key: string): PageReply {
  const args = { runId, key, x: "step" as const, buckets: CHART_BUCKETS };
  return {
    url: `${API_BASE}${downsampledHistoryPath(args)}`,
    reply: async () => {
      const result = await getMetricHistoryDownsampled(store, {
        runId,
        metricKey: key,
        buckets: args.buckets,
        x: args.x,
      });
      return new Response(encodeWireJson(result), {
        headers: { "content-type": "application/json" },
      });
    },
  };
}

/** The metrics the URL asks the charts to show (`?metric=`, repeated), at most a hundred. */
function chartKeysParam(c: Context<UiEnv>): string[] | undefined {
  const keys = c.req.queries(CHART_KEY_PARAM)?.slice(0, MAX_CHART_KEYS);
  return keys?.length ? keys : undefined;
}

/** Longest `?artifact=` path passed on to the artifact browser. */
const MAX_ARTIFACT_PARAM = 4096;

/** The artifact the URL asks the browser to select (`?artifact=`), if a plausible one. */
function artifactParam(c: Context<UiEnv>): string | undefined {
  const path = c.req.query("artifact");
  return path && path.length <= MAX_ARTIFACT_PARAM ? path : undefined;
}

/** Logged models listed on the run page. */
export const RUN_LOGGED_MODELS_LIMIT = 100;

/** Store reads in flight at once while a page looks up the entities it links to. */
const LOOKUP_CONCURRENCY = 8;

function loggedModelRef(m: LoggedModel): LoggedModelRef {
  const { model_id, name, status, model_type, creation_timestamp_ms, source_run_id } = m.info;
  return { model_id, name, status, model_type, creation_timestamp_ms, source_run_id };
}

/**
 * The run's logged models: those whose `source_run_id` is the run (searched in its experiment),
 * then those in its `outputs.model_outputs` the search did not find (logged from another
 * experiment's run, say). Deleted models, and those in experiments the viewer may not read
 * (`readable`), are left out.
 */
async function runLoggedModels(
  store: TrackingStore,
  run: Run,
  readable: (experimentId: string) => boolean,
): Promise<LoggedModelRef[]> {
  const found = await store.searchLoggedModels({
    experimentIds: [run.info.experiment_id],
    filter: `source_run_id = ${filterLiteral(run.info.run_id)}`,
    maxResults: RUN_LOGGED_MODELS_LIMIT,
    infoOnly: true, // the page shows a few info fields (`loggedModelRef`)
  }).then((p) => p.items, () => [] as LoggedModel[]);
  const seen = new Set(found.map((m) => m.info.model_id));
  const extraIds = [...new Set((run.outputs?.model_outputs ?? []).map((o) => o.model_id))]
    .filter((id) => !seen.has(id)).slice(0, Math.max(0, RUN_LOGGED_MODELS_LIMIT - found.length));
  const limit = createLimiter(LOOKUP_CONCURRENCY);
  const extra = await Promise.all(
    extraIds.map((id) => limit(() => store.getLoggedModel(id).catch(() => null))),
  );
  return [...found, ...extra.filter((m): m is LoggedModel => m !== null)]
    .filter((m) => readable(m.info.experiment_id)).map(loggedModelRef);
}

// ---------- models (/models, /models/:name, /logged-models/:modelId) ----------

/** Registered models per page of `/models`. */
export const MODELS_PAGE_SIZE = 100;
/** Versions shown on a registered model's page (newest first). */
export const MODEL_VERSIONS_LIMIT = 1000;
/** Distinct runs and logged models a versions table looks up by name; the rest show their ids. */
const NAME_LOOKUPS_LIMIT = 100;

/**
 * `GET /models`: the registered models in name order, `?q=` searched (plain words by name,
 * `name ILIKE '%…%'`, or the filter grammar), `?page_token=` paged. A bad filter or token shows
 * the API's message by the search box rather than failing the page.
 */
export const modelsPage: Handler<UiEnv> = async (c) => {
  // Prompts have their own pages: left out even when the query names the prompt tag.
  const listing = await registeredModelsListing(
    c,
    (q) => modelsOnlyFilter(toModelFilter(q)) || undefined,
    MODELS_PAGE_SIZE,
  );
  return renderPage(
    c,
    <ModelsPage
      models={listing.items}
      query={listing.query}
      pageToken={listing.pageToken}
      nextPageToken={listing.nextPageToken}
      error={listing.error}
      trackingUri={new URL(c.req.url).origin}
    />,
    { title: "Models" },
  );
};

/** One page of a registered-models list (`/models`, `/prompts`), as its page shows it. */
export interface RegisteredModelsListing {
  /** What the user typed (`?q=`). */
  query: string;
  pageToken: string | null;
  items: RegisteredModel[];
  nextPageToken: string | null;
  /** The API's message for a query or token it refused (the page shows it by the search box). */
  error: string | null;
}

/**
 * The registered models that `filterOf(q)` matches, by name, `pageSize` per `?page_token=` page,
 * only those the viewer may read (the store refills a page past hidden ones).
 */
export async function registeredModelsListing(
  c: Context<UiEnv>,
  filterOf: (query: string) => string | undefined,
  pageSize: number,
): Promise<RegisteredModelsListing> {
  const query = c.req.query("q") ?? "";
  const pageToken = c.req.query("page_token") || null;
  const access = await c.var.access();
  try {
    const page = await c.var.store.searchRegisteredModels({
      filter: filterOf(query),
      orderBy: ["name ASC"],
      maxResults: pageSize,
      pageToken: pageToken ?? undefined,
      visible: access.all ? undefined : access.registeredModel,
    });
    return {
      query,
      pageToken,
      items: page.items,
      nextPageToken: page.nextPageToken ?? null,
      error: null,
    };
  } catch (err) {
    if (!isCallersError(err)) throw err;
    return { query, pageToken, items: [], nextPageToken: null, error: err.message };
  }
}

/**
 * The versions of registered model `name`, newest first. A backslash before a quote (or at the
 * end) of a filter literal embeds the quote, so a name with a backslash is matched with `LIKE`
 * (`\` → `_`) and checked exactly here.
 */
export async function versionsOf(store: TrackingStore, name: string): Promise<Page<ModelVersion>> {
  const exact = !name.includes("\\");
  const page = await store.searchModelVersions({
    filter: exact
      ? `name = ${filterLiteral(name)}`
      : `name LIKE ${filterLiteral(name.replaceAll("\\", "_"))}`,
    orderBy: ["version_number DESC"],
    maxResults: MODEL_VERSIONS_LIMIT,
  });
  return exact ? page : { ...page, items: page.items.filter((v) => v.name === name) };
}

/** Looks up names of `ids` (at most {@linkcode NAME_LOOKUPS_LIMIT}); null for unreadable ones. */
async function namesOf(
  ids: Iterable<string>,
  read: (id: string) => Promise<string>,
): Promise<Record<string, string | null>> {
  const limit = createLimiter(LOOKUP_CONCURRENCY);
  const distinct = [...new Set(ids)].slice(0, NAME_LOOKUPS_LIMIT);
  const names = await Promise.all(distinct.map((id) => limit(() => read(id).catch(() => null))));
  return Object.fromEntries(distinct.map((id, i) => [id, names[i]]));
}

/**
 * `GET /models/:name`: one registered model and its versions (names of their source runs and
 * logged models looked up for the links); the 404 page for an unknown name. The route takes the
 * rest of the path, so names with `/` work encoded or not.
 */
export const registeredModelPage: Handler<UiEnv> = async (c) => {
  const name = c.req.param("name") ?? "";
  const store = c.var.store;
  const access = await c.var.access();
  if (!access.registeredModel(name)) return forbidden(c, MODEL_FORBIDDEN);
  // The model and its versions (the model is found by this exact name) are read together, so
  // the store shares their round trips.
  const versionsRead = versionsOf(store, name);
  versionsRead.catch(() => {}); // awaited below, unless the model does not exist
  const model = await orNotFound(c, () => store.getRegisteredModel(name), {
    message: `There is no registered model named “${name}”.`,
    back: { href: "/models", label: "models" },
    active: "models",
  });
  if (model instanceof Response) return model;
  // A prompt (MLflow 3's prompt registry) has its own page, and its versions no files.
  if (isPrompt(model.tags)) return c.redirect(promptHref(model.name), 302);
  const versions = await versionsRead;
  // Source runs and logged models in experiments the viewer may not read show as bare ids.
  const readable = <T extends { info: { experiment_id: string } }>(x: T): T => {
    if (access.experiment(x.info.experiment_id)) return x;
    throw new MlflowError("PERMISSION_DENIED", "Permission denied");
  };
  const [runNames, loggedModelNames, panel] = await Promise.all([
    namesOf(
      versions.items.flatMap((v) => v.run_id ? [v.run_id] : []),
      async (id) => readable(await store.getRun(id)).info.run_name,
    ),
    namesOf(
      versions.items.flatMap((v) => loggedModelIdOf(v) ?? []),
      async (id) => readable(await store.getLoggedModel(id)).info.name,
    ),
    accessPanel(c, { registeredModel: model.name }),
  ]);
  const may = await registryMay(c, model.name);
  return renderPage(
    c,
    <RegisteredModelPage
      model={model}
      versions={versions.items}
      versionsLimit={MODEL_VERSIONS_LIMIT}
      moreVersions={versions.nextPageToken !== undefined}
      runNames={runNames}
      loggedModelNames={loggedModelNames}
      may={may}
      access={panel}
    />,
    { title: model.name },
  );
};

/** What the viewer may do to registered model `name`: EDIT edits, MANAGE deletes (as the API). */
async function registryMay(c: Context<UiEnv>, name: string): Promise<RegistryMay> {
  const level = await viewerLevel(c, { registeredModel: name });
  return { edit: mayDo(level, "update"), delete: mayDo(level, "delete") };
}

/**
 * The repository path of the model files a version points at, for its MLmodel: the logged
 * model's artifact root, else its source when that lies in its (readable) source run's
 * artifacts; null when neither is served by this server.
 */
function versionModelDir(
  v: ModelVersion,
  loggedModel: LoggedModel | null,
  run: Run | null,
): string | null {
  try {
    if (loggedModel) return proxiedPath(loggedModel.info.artifact_uri);
    if (!run) return null;
    const root = run.info.artifact_uri.replace(/\/+$/, "");
    const prefix = `runs:/${run.info.run_id}/`;
    const uri = v.source.startsWith(prefix)
      ? `${root}/${v.source.slice(prefix.length)}`
      : v.source === root || v.source.startsWith(`${root}/`)
      ? v.source
      : null;
    return uri === null ? null : proxiedPath(uri);
  } catch {
    return null; // a source with `..` or the like: nothing to read
  }
}

/**
 * `GET /models/:name/versions/:version`: one registered version — its model's aliases, its source
 * run and logged model (looked up, when readable), the signature from its MLmodel file (when this
 * server stores it) — or the 404 page when the model or the version does not exist. The route
 * is tried before `/models/:name{.+}`: for a raw `/models/a/versions/1` the version wins; a model
 * named `a/versions/1` is reached with its name encoded (`/models/a%2Fversions%2F1`), as every
 * kvflow link writes it.
 */
export const modelVersionPage: Handler<UiEnv> = async (c) => {
  const name = c.req.param("name") ?? "";
  const number = c.req.param("version") ?? "";
  const store = c.var.store;
  const access = await c.var.access();
  if (!access.registeredModel(name)) return forbidden(c, MODEL_FORBIDDEN);
  const found = await orNotFound(
    c,
    () => Promise.all([store.getRegisteredModel(name), store.getModelVersion(name, number)]),
    {
      message: `There is no version ${number} of a registered model named “${name}”.`,
      back: { href: "/models", label: "models" },
      active: "models",
    },
  );
  if (found instanceof Response) return found;
  const [model, version] = found;
  // A prompt version has a template and no files: its entry on the prompt's page shows it.
  if (isPrompt(model.tags) && isPrompt(version.tags)) {
    return c.redirect(promptHref(model.name, version.version), 302);
  }
  const modelId = loggedModelIdOf(version);
  const [run, loggedModel, may] = await Promise.all([
    version.run_id
      ? store.getRun(version.run_id).then(
        (r) => access.experiment(r.info.experiment_id) ? r : null,
        () => null,
      )
      : null,
    modelId
      ? store.getLoggedModel(modelId).then(
        (m) => access.experiment(m.info.experiment_id) ? m : null,
        () => null,
      )
      : null,
    registryMay(c, name),
  ]);
  const dir = c.var.artifacts ? versionModelDir(version, loggedModel, run) : null;
  const signature = dir === null ? null : await readSignature(c.var.artifacts!, dir);
  const runNames = version.run_id ? { [version.run_id]: run ? run.info.run_name : null } : {};
  const loggedModelNames = modelId ? { [modelId]: loggedModel ? loggedModel.info.name : null } : {};
  return renderPage(
    c,
    <ModelVersionPage
      model={model}
      version={version}
      runNames={runNames}
      loggedModelId={modelId}
      loggedModelNames={loggedModelNames}
      signature={signature}
      may={may}
    />,
    { title: `${model.name} v${version.version}` },
  );
};

/**
 * The registered versions made from logged model `info`: those registered from `models:/<id>`,
 * and those of its source run that carry its `model_id` or a source under its artifact root.
 * (The version search has no `model_id` filter.) Sorted by model name, newest version first.
 * Only versions of registered models `visible` accepts (all when absent).
 */
async function registeredVersionsOf(
  store: TrackingStore,
  info: LoggedModelInfo,
  visible?: (registeredModelName: string) => boolean,
  fromUri = versionsFromUri(store, info.model_id, visible),
): Promise<ModelVersion[]> {
  const pages = await Promise.all([
    fromUri,
    info.source_run_id
      ? searchVersions(store, `run_id = ${filterLiteral(info.source_run_id)}`, visible)
      : [],
  ]);
  const found = new Map<string, ModelVersion>();
  for (const v of pages.flat()) {
    if (versionPointsAt(v, info)) found.set(`${v.name}\u0000${v.version}`, v);
  }
  return [...found.values()].sort((a, b) =>
    a.name.localeCompare(b.name) || Number(b.version) - Number(a.version)
  );
}

/** Versions matching `filter` for the logged model page (no tags: it does not show them). */
function searchVersions(
  store: TrackingStore,
  filter: string,
  visible?: (registeredModelName: string) => boolean,
): Promise<ModelVersion[]> {
  return store.searchModelVersions({
    filter,
    maxResults: MODEL_VERSIONS_LIMIT,
    visible,
    omitTags: true,
  })
    .then((p) => p.items, () => []);
}

/** Versions registered from `models:/<modelId>`: the id alone decides which. */
function versionsFromUri(
  store: TrackingStore,
  modelId: string,
  visible?: (registeredModelName: string) => boolean,
): Promise<ModelVersion[]> {
  return searchVersions(store, `source_path = ${filterLiteral(`models:/${modelId}`)}`, visible);
}

/**
 * The artifact proxy URL of a logged model's root, or null when this server does not serve it
 * (no artifact repository, or a root other than `mlflow-artifacts:/…` / the proxy's own URL).
 */
function loggedModelDownloadBase(c: Context<UiEnv>, artifactUri: string): string | null {
  if (!c.var.artifacts) return null;
  try {
    const path = proxiedPath(artifactUri);
    return path === null ? null : proxyDownloadBase(path);
  } catch {
    return null;
  }
}

/**
 * `GET /logged-models/:modelId`: one logged model — info, metrics, params, tags, its files (an
 * island over the logged-model artifact endpoints) and the registered versions made from it;
 * the 404 page for an unknown or deleted id.
 */
export const loggedModelPage: Handler<UiEnv> = async (c) => {
  const id = c.req.param("modelId") ?? "";
  const store = c.var.store;
  const access = await c.var.access();
  const visible = access.all ? undefined : access.registeredModel;
  // The versions registered from the model's URI need only its id: read alongside the model
  // (shown only once the viewer may read it). A malformed id is a 404 without this read.
  const fromUri = loggedModelIdOf({ source: `models:/${id}` }) === id
    ? versionsFromUri(store, id, visible)
    : Promise.resolve([]);
  const model = await orNotFound(c, () => store.getLoggedModel(id), {
    message: `There is no logged model with ID “${id}”.`,
  }, LOGGED_MODEL_FORBIDDEN);
  if (model instanceof Response) return model;
  const { info } = model;
  if (!access.experiment(info.experiment_id)) return forbidden(c, LOGGED_MODEL_FORBIDDEN);
  const [experiment, sourceRunName, versions, level] = await Promise.all([
    store.getExperimentNames([info.experiment_id]).then(
      (names) => {
        const name = names.get(info.experiment_id);
        return name === undefined ? null : { experiment_id: info.experiment_id, name };
      },
      () => null,
    ),
    info.source_run_id
      ? store.getRun(info.source_run_id).then(
        (r) => access.experiment(r.info.experiment_id) ? r.info.run_name : null,
        () => null,
      )
      : null,
    registeredVersionsOf(store, info, visible, fromUri),
    viewerLevel(c, { experimentId: info.experiment_id }),
  ]);
  return renderPage(
    c,
    <LoggedModelPage
      model={model}
      experiment={experiment}
      sourceRunName={sourceRunName}
      versions={versions}
      downloadBase={loggedModelDownloadBase(c, info.artifact_uri)}
      artifact={artifactParam(c)}
      canRegister={mayDo(level, "update")}
    />,
    { title: info.name },
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
          if (isCallersError(err)) return null;
          throw err;
        })
      )
    ),
  );
  const runs: Run[] = [];
  const notFound: string[] = [];
  loaded.forEach((run, i) => run ? runs.push(run) : notFound.push(parsed.ids[i]));
  notFound.push(...parsed.malformed);
  // One run the viewer may not read refuses the whole comparison (as would one they may not
  // learn is missing): leaving it out silently would misreport what was compared.
  const access = await c.var.access();
  const hidden = runs.some((r) => !access.experiment(r.info.experiment_id)) ||
    (notFound.length > 0 && !mayLearnAbsence(c));
  if (hidden) {
    return forbidden(c, {
      message: "You do not have permission to read every run in this comparison.",
    });
  }
  const experimentIds = [...new Set(runs.map((r) => r.info.experiment_id))];
  const names = await store.getExperimentNames(experimentIds)
    .catch(() => new Map<string, string>());
  const experiments: ComparePageProps["experiments"] = experimentIds.map((id) => ({
    experiment_id: id,
    name: names.get(id) ?? null,
  }));
  return renderPage(
    c,
    <ComparePage
      runs={runs}
      experiments={experiments}
      notFound={notFound}
      dropped={parsed.dropped}
      chartKeys={chartKeysParam(c)}
    />,
    { title: runs.length ? `Compare ${runs.length} runs` : "Compare runs" },
  );
};
