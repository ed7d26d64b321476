/**
 * MLflow's UI links, mapped to kvflow's pages. MLflow's UI routes in the URL fragment
 * (`http://host/#/experiments/1/runs/<id>`, which every `start_run` prints), and the fragment never
 * reaches the server, so the browser maps it (ui/islands/mlflow_link.ts) with this pure function.
 *
 * Everything in the fragment is untrusted: ids must look like ids, names and paths are only ever
 * put back percent-encoded into a path or query that this module builds, so the result is always
 * a same-origin path (`/…`, never `//…`, `/\…` or a scheme). Unknown parts fall back to the
 * nearest page known (a run tab kvflow lacks → the run page; an unknown experiment tab → the
 * experiment).
 *
 * @example
 * ```ts
 * mlflowLinkTarget("#/experiments/1/runs/abc");            // "/runs/abc"
 * mlflowLinkTarget("#/experiments/1/runs/abc/artifacts/model/MLmodel");
 * // "/runs/abc?artifact=model%2FMLmodel#run-artifacts-heading"
 * mlflowLinkTarget('#/compare-runs?runs=["a","b"]&experiments=["1"]'); // "/compare?runs=a,b"
 * mlflowLinkTarget("#/models/churn/versions/3");           // "/models/churn/versions/3"
 * mlflowLinkTarget("#section-2");                          // null (not an MLflow route)
 * ```
 *
 * @module
 */
import { parseRunIds } from "./compare.ts";
import { modelVersionHref, registeredModelHref } from "./models.ts";

/** Longest fragment parsed; a longer one (no real MLflow link is) goes to the experiments list. */
export const MAX_MLFLOW_HASH = 100_000;

/** What an experiment, run or logged-model id may look like (MLflow's are digits, hex, `m-…`). */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A model version number. */
const VERSION_RE = /^[0-9]{1,10}$/;
/** Longest artifact path or model name carried over. */
const MAX_TEXT = 4096;

/** The run page's section ids that MLflow's run tabs correspond to. */
const RUN_CHARTS = "run-charts-heading";
const RUN_ARTIFACTS = "run-artifacts-heading";

/** `decodeURIComponent`, or null for a malformed escape. */
function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function validId(id: string | null | undefined): id is string {
  return typeof id === "string" && ID_RE.test(id);
}

/** A JSON list of strings in a query parameter (`runs=["a","b"]`); a plain `a,b` list too. */
function stringList(value: string | null): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === "string");
    if (typeof parsed === "string") return [parsed];
    return [];
  } catch {
    return value.split(",");
  }
}

/** A JSON string in a query parameter (`name="churn"`), or the raw value. */
function jsonString(value: string | null): string | null {
  if (value === null) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "string" ? parsed : null;
  } catch {
    return value;
  }
}

function experimentPath(id: string, query?: URLSearchParams): string {
  const qs = new URLSearchParams();
  // MLflow's runs-table state, where kvflow's table has the same notion.
  const filter = query?.get("searchFilter")?.trim();
  if (filter && filter.length <= MAX_TEXT) qs.set("filter", filter);
  const key = query?.get("orderByKey")?.trim();
  if (key && key.length <= MAX_TEXT) {
    qs.set("order", `${key} ${query?.get("orderByAsc") === "true" ? "ASC" : "DESC"}`);
  }
  const lifecycle = query?.get("lifecycleFilter")?.toLowerCase();
  if (lifecycle === "deleted") qs.set("view", "deleted");
  const tail = qs.size ? `?${qs}` : "";
  return `/experiments/${encodeURIComponent(id)}${tail}`;
}

function runPath(id: string, tab: string[]): string {
  const base = `/runs/${encodeURIComponent(id)}`;
  const [name, ...rest] = tab;
  if (name === "artifacts" || name === "artifactPath") {
    const path = rest.join("/");
    if (!path || path.length > MAX_TEXT) return `${base}#${RUN_ARTIFACTS}`;
    return `${base}?${new URLSearchParams({ artifact: path })}#${RUN_ARTIFACTS}`;
  }
  if (name === "model-metrics" || name === "system-metrics") return `${base}#${RUN_CHARTS}`;
  // "overview", MLflow 3's "traces", "evaluations"…: the run page is the nearest.
  return base;
}

/** Several runs' page: the compare page, or the run page for one (`anchor` for either). */
function runsPath(runs: string[], anchors: { run: string; compare: string } | null): string | null {
  const { ids } = parseRunIds(runs.filter(validId));
  if (ids.length === 0) return null;
  if (ids.length === 1 && anchors) return `${runPath(ids[0], [])}#${anchors.run}`;
  if (ids.length === 1) return runPath(ids[0], []);
  const list = ids.map(encodeURIComponent).join(",");
  return `/compare?runs=${list}${anchors ? `#${anchors.compare}` : ""}`;
}

/** The first experiment of an `experiments=[…]` parameter, if any. */
function firstExperiment(query: URLSearchParams): string | null {
  const id = stringList(query.get("experiments")).find(validId);
  return id ? experimentPath(id) : null;
}

function route(segments: string[], query: URLSearchParams): string | null {
  const [top, a, b, ...rest] = segments;
  switch (top) {
    case undefined:
    case "experiments": {
      if (!validId(a)) return "/";
      if (b === "runs" && validId(rest[0])) return runPath(rest[0], rest.slice(1));
      if (b === "models" && validId(rest[0])) {
        return `/logged-models/${encodeURIComponent(rest[0])}`;
      }
      // The experiment itself, its search ("s") or a tab (runs, models, traces, chart…).
      return experimentPath(a, query);
    }
    case "runs":
      return validId(a) ? runPath(a, [b, ...rest].filter((s) => s !== undefined)) : "/";
    case "models": {
      if (a === undefined) return "/models";
      if (a.length > MAX_TEXT) return "/models";
      const version = b === "versions" && VERSION_RE.test(rest[0] ?? "") ? rest[0] : undefined;
      return version === undefined ? registeredModelHref(a) : modelVersionHref(a, version);
    }
    case "compare-runs":
      return runsPath(stringList(query.get("runs")), null) ?? firstExperiment(query) ?? "/";
    case "metric":
      return runsPath(stringList(query.get("runs")), {
        run: RUN_CHARTS,
        compare: "cmp-charts-heading",
      }) ?? firstExperiment(query) ?? "/";
    case "compare-model-versions": {
      // `name="<encoded name>"` (MLflow encodes it before JSON-quoting it).
      const raw = jsonString(query.get("name"));
      const name = raw === null ? null : decode(raw);
      return name && name.length <= MAX_TEXT ? registeredModelHref(name) : "/models";
    }
    case "compare-experiments":
      return "/";
    default:
      // Prompts, settings, GenAI pages…: kvflow has no such page; leave the page as it is.
      return null;
  }
}

/**
 * The kvflow path for MLflow UI fragment `hash` (`location.hash`, with or without its `#`), or
 * null when the fragment is not an MLflow route (`#version-3`, `#/prompts`) and the page should
 * stay as it is. The result is always a same-origin absolute path built here.
 */
export function mlflowLinkTarget(hash: string): string | null {
  const frag = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!frag.startsWith("/")) return null;
  if (frag.length > MAX_MLFLOW_HASH) return "/";
  const q = frag.indexOf("?");
  const path = q < 0 ? frag : frag.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : frag.slice(q + 1));
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    const segment = decode(raw);
    // A malformed escape ends the route: what came before still names a page.
    if (segment === null) break;
    segments.push(segment);
  }
  const target = route(segments, query);
  // Belt and braces: only a path on this origin ("/x", never "//x" or "/\x") leaves here.
  if (target === null) return null;
  return /^\/(?![/\\])/.test(target) ? target : "/";
}
