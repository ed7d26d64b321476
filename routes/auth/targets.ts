/**
 * Which resource a request names, for the auth middleware: the declared id's values read from
 * the query, the decoded body or the path (an artifact-proxy path raw, before Hono decodes it),
 * resolved to what a grant names — an experiment (a run or logged model through its experiment,
 * remembered per process by experiment_ids.ts), a registered model, or nothing (the default
 * permission applies) — and the caller's grant on it.
 *
 * @module
 */
import type { Context } from "hono";
import { normaliseArtifactPath } from "../../artifacts/path.ts";
import { MlflowError } from "../../store/errors.ts";
import type { AuthStore, Permission, User } from "../../store/auth/types.ts";
import type { AppEnv } from "../app_env.ts";
import type { ExperimentIdCache } from "./experiment_ids.ts";
import type { IdLocation, ResourceCheck } from "./route_permissions.ts";

/** A decoded JSON body, as the checks read it. */
export type Args = Record<string, unknown>;

/** The request's decoded JSON body (`{}` for GET, HEAD or a body that is not an object). */
export async function bodyArgs(c: Context): Promise<Args> {
  if (c.req.method === "GET" || c.req.method === "HEAD") return {};
  try {
    const args = await c.req.json();
    return args !== null && typeof args === "object" ? args as Args : {};
  } catch {
    return {};
  }
}

/** The raw (undecoded) tail of the URL after the route's static prefix, as raw_path.ts reads it. */
function rawTail(requestUrl: string, routePath: string): string {
  const start = requestUrl.indexOf("/", requestUrl.indexOf("://") + 3);
  const query = requestUrl.indexOf("?", start);
  const path = requestUrl.slice(start, query === -1 ? undefined : query);
  const prefix = routePath.split("/").findIndex((seg) => seg.startsWith(":"));
  return path.split("/").slice(prefix).join("/");
}

/** The request's values of the declared id (several when `many`). */
export async function idValues(
  c: Context<AppEnv>,
  id: IdLocation,
  route: { path?: string; index: number },
): Promise<string[]> {
  if (id.from === "query") {
    const values = id.many ? c.req.queries(id.field) ?? [] : [c.req.query(id.field)];
    return values.filter((v): v is string => v !== undefined);
  }
  if (id.from === "body") {
    const v = (await bodyArgs(c))[id.field];
    return typeof v === "string" || typeof v === "number" ? [String(v)] : [];
  }
  if (id.holds === "artifact_path" && route.path !== undefined) {
    return [rawTail(c.var.requestUrl, route.path)];
  }
  // Parameters are per registration: read them as the handler will see them.
  const saved = c.req.routeIndex;
  c.req.routeIndex = route.index;
  try {
    const v = c.req.param(id.field);
    return v === undefined ? [] : [v];
  } finally {
    c.req.routeIndex = saved;
  }
}

/** A grant target: an experiment id, a registered-model name, or none (default applies). */
export type Target =
  | { kind: "experiment"; id: string }
  | { kind: "registered_model"; name: string }
  | {
    kind: "default";
  };

function experimentOfArtifactPath(raw: string): Target {
  let path: string;
  try {
    path = normaliseArtifactPath(raw);
  } catch {
    // The handler refuses this path with a 400 anyway; nothing is read or written.
    return { kind: "default" };
  }
  const m = /^(\d+)(\/|$)/.exec(path);
  return m ? { kind: "experiment", id: m[1] } : { kind: "default" };
}

/**
 * The grant target of one id value, or null when the resource does not exist. A run's or logged
 * model's experiment comes from `experiments` when this process has looked it up before.
 */
export async function targetOf(
  c: Context<AppEnv>,
  check: ResourceCheck,
  value: string,
  experiments: ExperimentIdCache,
): Promise<Target | null> {
  try {
    switch (check.resource) {
      case "experiment":
        if (check.id.holds === "name") {
          return {
            kind: "experiment",
            id: (await c.var.store.getExperimentByName(value)).experiment_id,
          };
        }
        // An empty experiment_id means the Default experiment (runs/create).
        return { kind: "experiment", id: value === "" ? "0" : value };
      case "run":
      case "logged_model": {
        let id = experiments.get(check.resource, value);
        if (id === undefined) {
          id = check.resource === "run"
            ? (await c.var.store.getRun(value)).info.experiment_id
            : (await c.var.store.getLoggedModel(value)).info.experiment_id;
          experiments.set(check.resource, value, id);
        }
        return { kind: "experiment", id };
      }
      case "artifact_path":
        return experimentOfArtifactPath(value);
      case "registered_model":
      case "model_version":
        return { kind: "registered_model", name: value };
    }
  } catch (e) {
    if (e instanceof MlflowError && e.code === "RESOURCE_DOES_NOT_EXIST") return null;
    // A malformed id: the handler's validation answers it the same way.
    if (e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE") return null;
    throw e;
  }
}

/** The caller's grant on a target (none for the default target). */
export async function grantOn(
  store: AuthStore,
  target: Target,
  user: User,
): Promise<Permission | null> {
  switch (target.kind) {
    case "experiment":
      return await store.findExperimentPermission(target.id, user.id);
    case "registered_model":
      return await store.findRegisteredModelPermission(target.name, user.id);
    case "default":
      return null;
  }
}
