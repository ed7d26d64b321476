/**
 * One valid sample request per route, keyed exactly like `ROUTE_PERMISSIONS`
 * (routes/auth/route_permissions.ts), for the HTTP permission matrix
 * (tests/api/permission_matrix_test.ts). The matrix fails for a declared route without a sample
 * here, so a new route cannot escape it.
 *
 * A sample builds its request for one caller in the shared auth world
 * (tests/helpers/auth_world.ts). Requests that would destroy the shared fixture (deletes,
 * renames, restores) work on a fresh resource, made per call and granted to the caller at the
 * caller's level, so the level under test is the one the request meets. `ok` is the handler's
 * answer when the caller is allowed.
 *
 * @module
 */
import {
  API,
  type AuthWorld,
  BYSTANDER,
  type CallerKind,
  PASSWORD,
  PROXY,
  type Req,
  USER_OF,
} from "../helpers/auth_world.ts";

/** One route's sample request and the handler's answer to it. */
export interface Sample {
  /** The request for `caller`; may create (and grant) a fresh resource first. */
  request(w: AuthWorld, caller: CallerKind): Req | Promise<Req>;
  /**
   * The status the handler answers when the caller is allowed (per caller, for a handler that
   * refuses some callers itself).
   */
  ok: number | readonly number[] | ((caller: CallerKind) => number);
  /** User routes about one user: the caller themself, or someone else. */
  about?: "self" | "other";
  /**
   * A view of many items (search, page): what an allowed caller sees must leave out what they
   * cannot read, and a restricted caller may be refused outright instead.
   */
  shows?: true;
  /** A UI page: its own refusals are the HTML 403 page, not the API's JSON. */
  page?: true;
  /** Why this variant exists, when a route has several. */
  label?: string;
}

const TS = 1_700_000_000_000;
const R = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Req => ({
  method,
  path,
  body,
  headers,
});
const one = (s: Sample): Sample[] => [s];

/** A fresh logged model (tag `t`, file `MLmodel`) in a fresh experiment granted to the caller. */
async function freshLoggedModel(w: AuthWorld, caller: CallerKind): Promise<string> {
  const { exp, run } = await w.freshExperiment(caller);
  const id = (await w.admin(R("POST", "logged-models", {
    experiment_id: exp,
    name: "lm",
    source_run_id: run,
  }))).json.model.info.model_id as string;
  await w.admin(R("PATCH", `logged-models/${id}/tags`, { tags: [{ key: "t", value: "1" }] }));
  return id;
}

/** A fresh experiment granted to the caller, also granting READ on it to the bystander. */
async function freshGrantedExperiment(w: AuthWorld, caller: CallerKind): Promise<string> {
  const { exp } = await w.freshExperiment(caller);
  await w.auth.createExperimentPermission(exp, BYSTANDER, "READ");
  return exp;
}

/** A fresh registered model granted to the caller, also granting READ on it to the bystander. */
async function freshGrantedModel(w: AuthWorld, caller: CallerKind): Promise<string> {
  const name = await w.freshModel(caller);
  await w.auth.createRegisteredModelPermission(name, BYSTANDER, "READ");
  return name;
}

/** A fresh prompt (a registered model tagged as one) with version 1, granted to the caller. */
async function freshPrompt(w: AuthWorld, caller: CallerKind): Promise<string> {
  const name = w.unique("prompt");
  const tag = { key: "mlflow.prompt.is_prompt", value: "true" };
  await w.admin(R("POST", "registered-models/create", { name, tags: [tag] }));
  await w.admin(R("POST", "model-versions/create", {
    name,
    source: "dummy-source",
    tags: [tag, { key: "mlflow.prompt.text", value: "Hello {{name}}!" }],
  }));
  await w.grantModel(caller, name);
  return name;
}

/** A throwaway user (for admin calls that change or delete one). */
async function throwawayUser(w: AuthWorld): Promise<string> {
  const name = w.unique("throwaway");
  await w.auth.createUser(name, PASSWORD, false);
  return name;
}

const self = (caller: CallerKind) => caller === "anonymous" ? BYSTANDER : USER_OF[caller];
const proxyRun = (w: AuthWorld, exp = w.exp, run = w.run) =>
  `${PROXY}/artifacts/${exp}/${run}/artifacts`;
const mpu = (op: string) =>
  one({
    request: (w) =>
      R("POST", `${PROXY}/mpu/${op}/${w.exp}/${w.run}/artifacts/big.bin`, {
        path: "big.bin",
        num_parts: 1,
        upload_id: "u",
        parts: [{ part_number: 1, etag: "e" }],
      }),
    // The local repository has no multipart upload: the client then falls back to a PUT.
    ok: 501,
  });
const page = (path: (w: AuthWorld) => string) =>
  one({ request: (w) => R("GET", path(w)), ok: 200, shows: true, page: true });

/** Every declared route's samples (the key is its `ROUTE_PERMISSIONS` key). */
export const ROUTE_SAMPLES: Readonly<Record<string, readonly Sample[]>> = {
  // ---- server -------------------------------------------------------------------------------
  "GET /health": one({ request: () => R("GET", "/health"), ok: 200 }),
  "GET /version": one({ request: () => R("GET", "/version"), ok: 200 }),
  "GET /openapi.json": one({ request: () => R("GET", "/openapi.json"), ok: 200 }),
  "GET /metrics": one({ request: () => R("GET", "/metrics"), ok: 200 }),

  // ---- experiments --------------------------------------------------------------------------
  [`POST ${API}/experiments/create`]: one({
    request: (w) => R("POST", "experiments/create", { name: w.unique("created") }),
    ok: 200,
  }),
  [`GET ${API}/experiments/get`]: one({
    request: (w) => R("GET", `experiments/get?experiment_id=${w.exp}`),
    ok: 200,
  }),
  [`GET ${API}/experiments/list-keys`]: one({
    request: (w) => R("GET", `experiments/list-keys?experiment_id=${w.exp}`),
    ok: 200,
  }),
  [`GET ${API}/experiments/get-by-name`]: one({
    request: (w) => R("GET", `experiments/get-by-name?experiment_name=${w.expName}`),
    ok: 200,
  }),
  [`POST ${API}/experiments/search`]: one({
    request: () => R("POST", "experiments/search", { max_results: 1000 }),
    ok: 200,
    shows: true,
  }),
  [`GET ${API}/experiments/search`]: one({
    request: () => R("GET", "experiments/search?max_results=1000"),
    ok: 200,
    shows: true,
  }),
  [`POST ${API}/experiments/update`]: one({
    request: async (w, c) =>
      R("POST", "experiments/update", {
        experiment_id: (await w.freshExperiment(c)).exp,
        new_name: w.unique("renamed"),
      }),
    ok: 200,
  }),
  [`POST ${API}/experiments/delete`]: one({
    request: async (w, c) =>
      R("POST", "experiments/delete", { experiment_id: (await w.freshExperiment(c)).exp }),
    ok: 200,
  }),
  [`POST ${API}/experiments/restore`]: one({
    request: async (w, c) => {
      const { exp } = await w.freshExperiment(c);
      await w.admin(R("POST", "experiments/delete", { experiment_id: exp }));
      return R("POST", "experiments/restore", { experiment_id: exp });
    },
    ok: 200,
  }),
  [`POST ${API}/experiments/set-experiment-tag`]: one({
    request: (w) =>
      R("POST", "experiments/set-experiment-tag", { experiment_id: w.exp, key: "k", value: "v" }),
    ok: 200,
  }),
  [`POST ${API}/experiments/delete-experiment-tag`]: one({
    request: async (w, c) => {
      const { exp } = await w.freshExperiment(c);
      await w.admin(
        R("POST", "experiments/set-experiment-tag", { experiment_id: exp, key: "k", value: "v" }),
      );
      return R("POST", "experiments/delete-experiment-tag", { experiment_id: exp, key: "k" });
    },
    ok: 200,
  }),

  // ---- runs ---------------------------------------------------------------------------------
  [`POST ${API}/runs/create`]: one({
    request: (w) => R("POST", "runs/create", { experiment_id: w.exp, start_time: TS }),
    ok: 200,
  }),
  [`GET ${API}/runs/get`]: one({ request: (w) => R("GET", `runs/get?run_id=${w.run}`), ok: 200 }),
  [`POST ${API}/runs/update`]: one({
    request: (w) => R("POST", "runs/update", { run_id: w.run, status: "RUNNING" }),
    ok: 200,
  }),
  [`POST ${API}/runs/delete`]: one({
    request: async (w, c) => R("POST", "runs/delete", { run_id: (await w.freshExperiment(c)).run }),
    ok: 200,
  }),
  [`POST ${API}/runs/restore`]: one({
    request: async (w, c) => {
      const { run } = await w.freshExperiment(c);
      await w.admin(R("POST", "runs/delete", { run_id: run }));
      return R("POST", "runs/restore", { run_id: run });
    },
    ok: 200,
  }),
  [`POST ${API}/runs/delete-permanently`]: one({
    request: async (w, c) => {
      const { run } = await w.freshExperiment(c);
      await w.admin(R("POST", "runs/delete", { run_id: run }));
      return R("POST", "runs/delete-permanently", { run_id: run });
    },
    ok: 200,
  }),
  [`POST ${API}/experiments/delete-permanently`]: one({
    request: async (w, c) => {
      const { exp } = await w.freshExperiment(c);
      await w.admin(R("POST", "experiments/delete", { experiment_id: exp }));
      return R("POST", "experiments/delete-permanently", { experiment_id: exp });
    },
    ok: 200,
  }),
  [`POST ${API}/gc`]: one({ request: () => R("POST", "gc", { dry_run: true }), ok: 200 }),
  [`POST ${API}/runs/log-metric`]: one({
    request: (w) =>
      R("POST", "runs/log-metric", { run_id: w.run, key: "m", value: 2, timestamp: TS, step: 1 }),
    ok: 200,
  }),
  [`POST ${API}/runs/log-parameter`]: one({
    request: (w) => R("POST", "runs/log-parameter", { run_id: w.run, key: "p", value: "1" }),
    ok: 200,
  }),
  [`POST ${API}/runs/set-tag`]: one({
    request: (w) => R("POST", "runs/set-tag", { run_id: w.run, key: "k", value: "v" }),
    ok: 200,
  }),
  [`POST ${API}/runs/delete-tag`]: one({
    request: async (w, c) =>
      R("POST", "runs/delete-tag", { run_id: (await w.freshExperiment(c)).run, key: "t" }),
    ok: 200,
  }),
  [`POST ${API}/runs/log-batch`]: one({
    request: (w) =>
      R("POST", "runs/log-batch", { run_id: w.run, tags: [{ key: "b", value: "1" }] }),
    ok: 200,
  }),
  [`POST ${API}/runs/log-model`]: one({
    request: (w) =>
      R("POST", "runs/log-model", {
        run_id: w.run,
        model_json: JSON.stringify({
          artifact_path: "model",
          flavors: { python_function: {} },
          utc_time_created: "2023-11-14 22:13:20.000000",
          run_id: w.run,
        }),
      }),
    ok: 200,
  }),
  [`POST ${API}/runs/log-inputs`]: one({
    request: (w) =>
      R("POST", "runs/log-inputs", {
        run_id: w.run,
        datasets: [{ dataset: { name: "ds", digest: "d", source_type: "local", source: "{}" } }],
      }),
    ok: 200,
  }),
  [`POST ${API}/runs/outputs`]: one({
    request: (w) =>
      R("POST", "runs/outputs", { run_id: w.run, models: [{ model_id: w.loggedModel, step: 0 }] }),
    ok: 200,
  }),
  [`POST ${API}/runs/search`]: one({
    request: (w) => R("POST", "runs/search", { experiment_ids: [w.exp] }),
    ok: 200,
    shows: true,
  }),
  [`GET ${API}/runs/export-csv`]: one({
    request: (w) => R("GET", `runs/export-csv?experiment_ids=${w.exp}`),
    ok: 200,
  }),

  // ---- metrics ------------------------------------------------------------------------------
  [`GET ${API}/metrics/get-history`]: one({
    request: (w) => R("GET", `metrics/get-history?run_id=${w.run}&metric_key=m`),
    ok: 200,
  }),
  [`GET ${API}/metrics/get-history-bulk-interval`]: one({
    request: (w) => R("GET", `metrics/get-history-bulk-interval?run_ids=${w.run}&metric_key=m`),
    ok: 200,
  }),
  [`GET ${API}/metrics/get-history-bulk`]: one({
    request: (w) => R("GET", `metrics/get-history-bulk?run_id=${w.run}&metric_key=m`),
    ok: 200,
  }),
  [`GET ${API}/metrics/get-history-downsampled`]: one({
    request: (w) => R("GET", `metrics/get-history-downsampled?run_id=${w.run}&metric_key=m`),
    ok: 200,
  }),
  [`GET ${API}/metrics/get-history-downsampled-bulk`]: one({
    request: (w) => R("GET", `metrics/get-history-downsampled-bulk?run_ids=${w.run}&metric_key=m`),
    ok: 200,
  }),

  // ---- logged models ------------------------------------------------------------------------
  [`POST ${API}/logged-models/search`]: one({
    request: (w) => R("POST", "logged-models/search", { experiment_ids: [w.exp] }),
    ok: 200,
    shows: true,
  }),
  [`POST ${API}/logged-models`]: one({
    request: (w) => R("POST", "logged-models", { experiment_id: w.exp, name: "made" }),
    ok: 200,
  }),
  [`GET ${API}/logged-models/:model_id`]: one({
    request: (w) => R("GET", `logged-models/${w.loggedModel}`),
    ok: 200,
  }),
  [`PATCH ${API}/logged-models/:model_id`]: one({
    request: (w) =>
      R("PATCH", `logged-models/${w.loggedModel}`, {
        model_id: w.loggedModel,
        status: "LOGGED_MODEL_READY",
      }),
    ok: 200,
  }),
  [`DELETE ${API}/logged-models/:model_id`]: one({
    request: async (w, c) => R("DELETE", `logged-models/${await freshLoggedModel(w, c)}`),
    ok: 200,
  }),
  [`PATCH ${API}/logged-models/:model_id/tags`]: one({
    request: (w) =>
      R("PATCH", `logged-models/${w.loggedModel}/tags`, { tags: [{ key: "k", value: "v" }] }),
    ok: 200,
  }),
  [`DELETE ${API}/logged-models/:model_id/tags/:tag_key{.+}`]: one({
    request: async (w, c) => R("DELETE", `logged-models/${await freshLoggedModel(w, c)}/tags/t`),
    ok: 200,
  }),
  [`POST ${API}/logged-models/:model_id/params`]: one({
    request: (w) =>
      R("POST", `logged-models/${w.loggedModel}/params`, { params: [{ key: "p", value: "1" }] }),
    ok: 200,
  }),
  [`GET ${API}/logged-models/:model_id/artifacts/directories`]: one({
    request: (w) => R("GET", `logged-models/${w.loggedModel}/artifacts/directories`),
    ok: 200,
  }),

  // ---- model registry -----------------------------------------------------------------------
  [`POST ${API}/registered-models/create`]: one({
    request: (w) => R("POST", "registered-models/create", { name: w.unique("made") }),
    ok: 200,
  }),
  [`POST ${API}/registered-models/rename`]: one({
    request: async (w, c) =>
      R("POST", "registered-models/rename", {
        name: await w.freshModel(c),
        new_name: w.unique("renamed"),
      }),
    ok: 200,
  }),
  [`PATCH ${API}/registered-models/update`]: one({
    request: (w) => R("PATCH", "registered-models/update", { name: w.model, description: "d" }),
    ok: 200,
  }),
  [`DELETE ${API}/registered-models/delete`]: one({
    request: async (w, c) =>
      R("DELETE", "registered-models/delete", { name: await w.freshModel(c) }),
    ok: 200,
  }),
  [`GET ${API}/registered-models/get`]: one({
    request: (w) => R("GET", `registered-models/get?name=${w.model}`),
    ok: 200,
  }),
  [`GET ${API}/registered-models/search`]: one({
    request: () => R("GET", "registered-models/search?max_results=1000"),
    ok: 200,
    shows: true,
  }),
  [`POST ${API}/registered-models/get-latest-versions`]: one({
    request: (w) => R("POST", "registered-models/get-latest-versions", { name: w.model }),
    ok: 200,
  }),
  [`GET ${API}/registered-models/get-latest-versions`]: one({
    request: (w) => R("GET", `registered-models/get-latest-versions?name=${w.model}`),
    ok: 200,
  }),
  [`POST ${API}/registered-models/set-tag`]: one({
    request: (w) => R("POST", "registered-models/set-tag", { name: w.model, key: "k", value: "v" }),
    ok: 200,
  }),
  [`DELETE ${API}/registered-models/delete-tag`]: one({
    request: async (w, c) =>
      R("DELETE", "registered-models/delete-tag", { name: await w.freshModel(c), key: "t" }),
    ok: 200,
  }),
  [`POST ${API}/registered-models/alias`]: one({
    request: (w) =>
      R("POST", "registered-models/alias", { name: w.model, alias: "champion", version: "1" }),
    ok: 200,
  }),
  [`DELETE ${API}/registered-models/alias`]: one({
    request: async (w, c) =>
      R("DELETE", "registered-models/alias", { name: await w.freshModel(c), alias: "champion" }),
    ok: 200,
  }),
  [`GET ${API}/registered-models/alias`]: one({
    request: (w) => R("GET", `registered-models/alias?name=${w.model}&alias=champion`),
    ok: 200,
  }),
  [`POST ${API}/model-versions/create`]: one({
    request: (w) =>
      R("POST", "model-versions/create", { name: w.model, source: `runs:/${w.run}/model` }),
    ok: 200,
  }),
  [`PATCH ${API}/model-versions/update`]: one({
    request: (w) =>
      R("PATCH", "model-versions/update", { name: w.model, version: "1", description: "d" }),
    ok: 200,
  }),
  [`POST ${API}/model-versions/transition-stage`]: one({
    request: (w) =>
      R("POST", "model-versions/transition-stage", {
        name: w.model,
        version: "1",
        stage: "Staging",
        archive_existing_versions: false,
      }),
    ok: 200,
  }),
  [`DELETE ${API}/model-versions/delete`]: one({
    request: async (w, c) =>
      R("DELETE", "model-versions/delete", { name: await w.freshModel(c), version: "1" }),
    ok: 200,
  }),
  [`GET ${API}/model-versions/get`]: one({
    request: (w) => R("GET", `model-versions/get?name=${w.model}&version=1`),
    ok: 200,
  }),
  [`GET ${API}/model-versions/get-download-uri`]: one({
    request: (w) => R("GET", `model-versions/get-download-uri?name=${w.model}&version=1`),
    ok: 200,
  }),
  [`GET ${API}/model-versions/search`]: one({
    request: () => R("GET", "model-versions/search?max_results=1000"),
    ok: 200,
    shows: true,
  }),
  [`POST ${API}/model-versions/set-tag`]: one({
    request: (w) =>
      R("POST", "model-versions/set-tag", { name: w.model, version: "1", key: "k", value: "v" }),
    ok: 200,
  }),
  [`DELETE ${API}/model-versions/delete-tag`]: one({
    request: async (w, c) =>
      R("DELETE", "model-versions/delete-tag", {
        name: await w.freshModel(c),
        version: "1",
        key: "t",
      }),
    ok: 200,
  }),

  // ---- artifact proxy -----------------------------------------------------------------------
  [`GET ${PROXY}/artifacts`]: one({
    request: (w) => R("GET", `${PROXY}/artifacts?path=${w.exp}/${w.run}/artifacts`),
    ok: 200,
  }),
  [`GET ${PROXY}/artifacts/:artifact_path{.+}`]: one({
    request: (w) => R("GET", `${proxyRun(w)}/hello.txt`),
    ok: 200,
  }),
  [`PUT ${PROXY}/artifacts/:artifact_path{.+}`]: one({
    request: (w) => R("PUT", `${proxyRun(w)}/put.txt`, "put", { "content-type": "text/plain" }),
    ok: 200,
  }),
  [`DELETE ${PROXY}/artifacts/:artifact_path{.+}`]: one({
    request: async (w, c) => {
      const { exp, run } = await w.freshExperiment(c, { artifact: true });
      return R("DELETE", `${proxyRun(w, exp, run)}/hello.txt`);
    },
    ok: 200,
  }),
  [`POST ${PROXY}/mpu/create/:artifact_path{.+}`]: mpu("create"),
  [`POST ${PROXY}/mpu/complete/:artifact_path{.+}`]: mpu("complete"),
  [`POST ${PROXY}/mpu/abort/:artifact_path{.+}`]: mpu("abort"),

  // ---- run artifacts ------------------------------------------------------------------------
  [`GET ${API}/artifacts/list`]: one({
    request: (w) => R("GET", `artifacts/list?run_id=${w.run}`),
    ok: 200,
  }),
  [`POST ${API}/upload-artifact`]: one({
    request: (w) =>
      R("POST", `upload-artifact?run_id=${w.run}&path=up.txt`, "up", {
        "content-type": "text/plain",
      }),
    ok: 200,
  }),
  "GET /get-artifact": one({
    request: (w) => R("GET", `/get-artifact?run_id=${w.run}&path=hello.txt`),
    ok: 200,
  }),
  "GET /model-versions/get-artifact": one({
    request: (w) => R("GET", `/model-versions/get-artifact?name=${w.model}&version=1&path=MLmodel`),
    ok: 200,
  }),

  // ---- UI -----------------------------------------------------------------------------------
  "ALL /static/:file": one({ request: () => R("GET", "/static/styles.css"), ok: 200 }),
  "ALL /": page(() => "/"),
  "ALL /experiments/:experimentId": page((w) => `/experiments/${w.exp}`),
  "ALL /experiments/compare/:ids": page((w) => `/experiments/compare/${w.exp}`),
  "ALL /runs/:runId": page((w) => `/runs/${w.run}`),
  "ALL /compare": page((w) => `/compare?runs=${w.run}`),
  "ALL /models": page(() => "/models"),
  "ALL /models/:name{.+}/versions/:version{[0-9]+}": page((w) => `/models/${w.model}/versions/1`),
  "ALL /models/:name{.+}": page((w) => `/models/${w.model}`),
  "ALL /prompts": page(() => "/prompts"),
  "ALL /prompts/:name{.+}": one({
    request: async (w, caller) => R("GET", `/prompts/${await freshPrompt(w, caller)}`),
    ok: 200,
    shows: true,
    page: true,
  }),
  "ALL /logged-models/:modelId": page((w) => `/logged-models/${w.loggedModel}`),
  "ALL /docs": page(() => "/docs"),

  // ---- users, tokens and permissions (issue 11; mounted only with auth) ----------------------
  [`POST ${API}/users/create`]: one({
    request: (w) => R("POST", "users/create", { username: w.unique("user"), password: PASSWORD }),
    ok: 200,
  }),
  [`GET ${API}/users/get`]: [
    { request: (_w, c) => R("GET", `users/get?username=${self(c)}`), ok: 200, about: "self" },
    { request: () => R("GET", `users/get?username=${BYSTANDER}`), ok: 200, about: "other" },
  ],
  [`PATCH ${API}/users/update-password`]: [
    {
      // The same password again: every later request of the caller still authenticates.
      request: (_w, c) =>
        R("PATCH", "users/update-password", { username: self(c), password: PASSWORD }),
      ok: 200,
      about: "self",
    },
    {
      request: () =>
        R("PATCH", "users/update-password", { username: BYSTANDER, password: PASSWORD }),
      ok: 200,
      about: "other",
    },
  ],
  [`PATCH ${API}/users/update-admin`]: one({
    request: async (w) =>
      R("PATCH", "users/update-admin", { username: await throwawayUser(w), is_admin: true }),
    ok: 200,
  }),
  [`DELETE ${API}/users/delete`]: one({
    request: async (w) => R("DELETE", "users/delete", { username: await throwawayUser(w) }),
    ok: 200,
  }),
  [`GET ${API}/users/current`]: one({ request: () => R("GET", "users/current"), ok: 200 }),
  [`GET ${API}/users/list`]: one({ request: () => R("GET", "users/list?max_results=10"), ok: 200 }),
  [`POST ${API}/users/tokens/create`]: one({
    request: () => R("POST", "users/tokens/create", { name: "matrix" }),
    ok: 200,
  }),
  [`GET ${API}/users/tokens/list`]: one({ request: () => R("GET", "users/tokens/list"), ok: 200 }),
  [`DELETE ${API}/users/tokens/revoke`]: one({
    request: async (w, c) => {
      const { record } = await w.auth.createToken(self(c), w.unique("revoked"));
      return R("DELETE", "users/tokens/revoke", { id: record.id });
    },
    ok: 200,
  }),
  [`POST ${API}/experiments/permissions/create`]: one({
    request: async (w, c) =>
      R("POST", "experiments/permissions/create", {
        experiment_id: (await w.freshExperiment(c)).exp,
        username: BYSTANDER,
        permission: "READ",
      }),
    ok: 200,
  }),
  [`GET ${API}/experiments/permissions/get`]: one({
    request: (w) =>
      R("GET", `experiments/permissions/get?experiment_id=${w.exp}&username=${USER_OF.READ}`),
    ok: 200,
  }),
  [`PATCH ${API}/experiments/permissions/update`]: one({
    request: async (w, c) =>
      R("PATCH", "experiments/permissions/update", {
        experiment_id: await freshGrantedExperiment(w, c),
        username: BYSTANDER,
        permission: "EDIT",
      }),
    ok: 200,
  }),
  [`DELETE ${API}/experiments/permissions/delete`]: one({
    request: async (w, c) =>
      R("DELETE", "experiments/permissions/delete", {
        experiment_id: await freshGrantedExperiment(w, c),
        username: BYSTANDER,
      }),
    ok: 200,
  }),
  [`GET ${API}/experiments/permissions/list`]: one({
    request: (w) => R("GET", `experiments/permissions/list?experiment_id=${w.exp}`),
    ok: 200,
  }),
  [`POST ${API}/registered-models/permissions/create`]: one({
    request: async (w, c) =>
      R("POST", "registered-models/permissions/create", {
        name: await w.freshModel(c),
        username: BYSTANDER,
        permission: "READ",
      }),
    ok: 200,
  }),
  [`GET ${API}/registered-models/permissions/get`]: one({
    request: (w) =>
      R("GET", `registered-models/permissions/get?name=${w.model}&username=${USER_OF.READ}`),
    ok: 200,
  }),
  [`PATCH ${API}/registered-models/permissions/update`]: one({
    request: async (w, c) =>
      R("PATCH", "registered-models/permissions/update", {
        name: await freshGrantedModel(w, c),
        username: BYSTANDER,
        permission: "EDIT",
      }),
    ok: 200,
  }),
  [`DELETE ${API}/registered-models/permissions/delete`]: one({
    request: async (w, c) =>
      R("DELETE", "registered-models/permissions/delete", {
        name: await freshGrantedModel(w, c),
        username: BYSTANDER,
      }),
    ok: 200,
  }),
  [`GET ${API}/registered-models/permissions/list`]: one({
    request: (w) => R("GET", `registered-models/permissions/list?name=${w.model}`),
    ok: 200,
  }),

  // ---- login, logout and the account pages (issue 11 §6) ------------------------------------
  // UI routes are all() registrations; each answers the methods it takes itself.
  "ALL /login": [
    { request: () => R("GET", "/login"), ok: 200, page: true, label: "the form" },
    {
      // The form as the login page posts it (login CSRF: from this site).
      request: () =>
        R(
          "POST",
          "/login",
          new URLSearchParams({ username: BYSTANDER, password: PASSWORD, next: "/" }).toString(),
          {
            "content-type": "application/x-www-form-urlencoded",
            "sec-fetch-site": "same-origin",
          },
        ),
      ok: 303,
      label: "logging in",
    },
  ],
  // Without a live session there is nothing to protect: the cookie is cleared, off to /login.
  "ALL /logout": one({ request: () => R("POST", "/logout"), ok: 303 }),
  "ALL /settings/tokens": one({
    request: () => R("GET", "/settings/tokens"),
    ok: 200,
    page: true,
  }),
  // Declared for any authenticated user: the page answers non-admins with its own 403 page.
  "ALL /admin/users": one({
    request: () => R("GET", "/admin/users"),
    ok: (caller) => caller === "admin" ? 200 : 403,
    page: true,
  }),
};

/**
 * Routes that have no `/ajax-api` twin to test: MLflow serves its user and permission endpoints
 * only under `/api/2.0/mlflow/` (auth traffic §4), and the non-API paths have none.
 */
export function hasAjaxTwin(key: string): boolean {
  const path = key.slice(key.indexOf(" ") + 1);
  return path.startsWith("/api/") && !/\/users\/|\/permissions\//.test(path);
}
