/**
 * The MLflow Python client's logging sessions (mlflow-client-traffic.md) as request tables, for
 * replaying one flow under different credentials and comparing the answers: the 2.17.0 smoke
 * (runs, params, metrics, tags, artifacts, log-model, registry, experiment lifecycle), the 3.1.3
 * autolog + log_model + register + load session (logged models), and the web UI's reads.
 *
 * Each step builds its request from what earlier steps captured (ids), so a table replays against
 * any server. Bodies follow the recorded ones (compact JSON, `run_uuid` beside `run_id` where the
 * client sends both).
 *
 * @module
 */
import type { Reply, Req } from "./auth_world.ts";

/** What a flow has learned so far: `user`, `suffix` and the ids its steps captured. */
export type FlowCtx = Record<string, string>;

/** One request of a flow. */
export interface FlowStep {
  /** A label for reports: the endpoint, plus what it is for when it repeats. */
  name: string;
  /**
   * `read` changes nothing; `write` changes an existing experiment, run, model or artifact;
   * `create` makes a new experiment or registered model (allowed to any authenticated user).
   */
  kind: "read" | "write" | "create";
  /** The status MLflow's server gave this request in the recording; 200 when left out. */
  recorded?: number;
  request(ctx: FlowCtx): Req;
  /** Records ids from a successful JSON answer. */
  capture?(json: Record<string, unknown>, ctx: FlowCtx): void;
}

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const T = 1_795_784_555_638;

/** The value `key` of `ctx`; a missing one is a broken table, not a server failure. */
function v(ctx: FlowCtx, key: string): string {
  const value = ctx[key];
  if (value === undefined) throw new Error(`flow context has no ${key}`);
  return value;
}

const json = (method: string, path: string, body: unknown): Req => ({ method, path, body });
const get = (path: string, query: Record<string, string> = {}): Req => {
  const qs = new URLSearchParams(query).toString();
  return { method: "GET", path: qs ? `${path}?${qs}` : path };
};
const put = (path: string, body: string, type: string): Req => ({
  method: "PUT",
  path: `${PROXY}/${path}`,
  body,
  headers: { "content-type": type },
});
const listArtifacts = (path: string): Req => get(PROXY, { path });

// deno-lint-ignore no-explicit-any
const at = (o: any, ...keys: string[]): string => {
  let x = o;
  for (const k of keys) x = x?.[k];
  if (typeof x !== "string") throw new Error(`no ${keys.join(".")} in ${JSON.stringify(o)}`);
  return x;
};

/** `start_run`'s `runs/create`, as the client fills it from `MLFLOW_TRACKING_USERNAME`. */
function createRun(ctx: FlowCtx, exp: string, runName: string, parent?: string): Req {
  const tags = [
    { key: "mlflow.user", value: v(ctx, "user") },
    { key: "mlflow.source.name", value: "<peer>/client_smoke.py" },
    { key: "mlflow.source.type", value: "LOCAL" },
    { key: "mlflow.runName", value: runName },
  ];
  if (parent) tags.push({ key: "mlflow.parentRunId", value: parent });
  return json("POST", "runs/create", {
    experiment_id: exp,
    user_id: v(ctx, "user"),
    run_name: runName,
    start_time: T,
    tags,
  });
}

const both = (run: string) => ({ run_uuid: run, run_id: run });

/** The 2.17.0 full smoke session, in the recorded order (one call per endpoint use). */
export const FLOW_2_17: readonly FlowStep[] = [
  {
    name: "experiments/get-by-name (missing)",
    kind: "read",
    recorded: 404,
    request: (c) => get("experiments/get-by-name", { experiment_name: `smoke-${v(c, "suffix")}` }),
  },
  {
    name: "experiments/create",
    kind: "create",
    request: (c) => json("POST", "experiments/create", { name: `smoke-${v(c, "suffix")}` }),
    capture: (j, c) => (c.exp = at(j, "experiment_id")),
  },
  {
    name: "experiments/get",
    kind: "read",
    request: (c) => get("experiments/get", { experiment_id: v(c, "exp") }),
  },
  {
    name: "runs/create (parent)",
    kind: "write",
    request: (c) => createRun(c, v(c, "exp"), "parent"),
    capture: (j, c) => (c.run = at(j, "run", "info", "run_id")),
  },
  {
    name: "runs/log-parameter",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-parameter", { ...both(v(c, "run")), key: "lr", value: "0.01" }),
  },
  {
    name: "runs/log-metric (acc)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-metric", {
        run_uuid: v(c, "run"),
        key: "acc",
        value: 0.7,
        timestamp: T + 1,
        step: 0,
        run_id: v(c, "run"),
      }),
  },
  {
    name: "runs/log-metric (loss)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-metric", {
        run_uuid: v(c, "run"),
        key: "loss",
        value: 1.0,
        timestamp: T + 2,
        step: 0,
        run_id: v(c, "run"),
      }),
  },
  {
    name: "runs/set-tag",
    kind: "write",
    request: (c) =>
      json("POST", "runs/set-tag", {
        run_uuid: v(c, "run"),
        key: "team",
        value: "peers",
        run_id: v(c, "run"),
      }),
  },
  {
    name: "runs/log-batch (params)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-batch", {
        run_id: v(c, "run"),
        params: [{ key: "batch", value: "32" }, { key: "optimizer", value: "adam" }],
      }),
  },
  {
    name: "runs/log-batch (metrics, tags)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-batch", {
        run_id: v(c, "run"),
        metrics: [1, 2, 3].map((step) => ({
          key: "loss",
          value: 1 / (step + 1),
          timestamp: T + 10 + step,
          step,
        })),
        tags: [{ key: "stage", value: "train" }],
      }),
  },
  {
    name: "PUT artifact (log_artifact)",
    kind: "write",
    request: (c) =>
      put(`${v(c, "exp")}/${v(c, "run")}/artifacts/hello.txt`, "hello artifact\n", "text/plain"),
  },
  {
    name: "PUT artifact (log_artifacts, nested)",
    kind: "write",
    request: (c) => put(`${v(c, "exp")}/${v(c, "run")}/artifacts/dir/a.txt`, "A", "text/plain"),
  },
  {
    name: "GET artifacts (list root)",
    kind: "read",
    request: (c) => listArtifacts(`${v(c, "exp")}/${v(c, "run")}/artifacts`),
  },
  {
    name: "GET artifacts (list dir)",
    kind: "read",
    request: (c) => listArtifacts(`${v(c, "exp")}/${v(c, "run")}/artifacts/dir`),
  },
  {
    name: "GET artifact (download)",
    kind: "read",
    request: (c) => get(`${PROXY}/${v(c, "exp")}/${v(c, "run")}/artifacts/dir/a.txt`),
  },
  {
    name: "runs/get",
    kind: "read",
    request: (c) => get("runs/get", both(v(c, "run"))),
  },
  {
    name: "metrics/get-history",
    kind: "read",
    request: (c) =>
      get("metrics/get-history", {
        run_uuid: v(c, "run"),
        metric_key: "loss",
        run_id: v(c, "run"),
        max_results: "25000",
      }),
  },
  {
    name: "runs/search",
    kind: "read",
    request: (c) =>
      json("POST", "runs/search", {
        experiment_ids: [v(c, "exp")],
        run_view_type: "ACTIVE_ONLY",
        filter: "metrics.acc > 0.6 and params.lr = '0.01'",
        max_results: 10000,
        order_by: ["metrics.acc DESC"],
      }),
  },
  {
    name: "experiments/search",
    kind: "read",
    request: (c) =>
      json("POST", "experiments/search", {
        max_results: 1000,
        filter: `name = 'smoke-${v(c, "suffix")}'`,
        view_type: "ACTIVE_ONLY",
      }),
  },
  {
    name: "experiments/set-experiment-tag",
    kind: "write",
    request: (c) =>
      json("POST", "experiments/set-experiment-tag", {
        experiment_id: v(c, "exp"),
        key: "owner",
        value: "peers",
      }),
  },
  {
    name: "runs/delete-tag",
    kind: "write",
    request: (c) => json("POST", "runs/delete-tag", { run_id: v(c, "run"), key: "stage" }),
  },
  {
    name: "runs/create (child)",
    kind: "write",
    request: (c) => createRun(c, v(c, "exp"), "child", v(c, "run")),
    capture: (j, c) => (c.child = at(j, "run", "info", "run_id")),
  },
  {
    name: "runs/log-parameter (child)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-parameter", {
        run_uuid: v(c, "child"),
        key: "child_param",
        value: "c",
        run_id: v(c, "child"),
      }),
  },
  {
    name: "runs/get (child, end_run)",
    kind: "read",
    request: (c) => get("runs/get", both(v(c, "child"))),
  },
  {
    name: "runs/update (child FINISHED)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/update", {
        run_uuid: v(c, "child"),
        status: "FINISHED",
        end_time: T + 100,
        run_id: v(c, "child"),
      }),
  },
  {
    name: "runs/delete (child)",
    kind: "write",
    request: (c) => json("POST", "runs/delete", { run_id: v(c, "child") }),
  },
  {
    name: "runs/restore (child)",
    kind: "write",
    request: (c) => json("POST", "runs/restore", { run_id: v(c, "child") }),
  },
  {
    name: "runs/log-inputs",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-inputs", {
        run_id: v(c, "run"),
        datasets: [{
          tags: [{ key: "mlflow.data.context", value: "train" }],
          dataset: {
            name: "dataset",
            digest: "ea9bb374",
            source_type: "code",
            source: '{"tags": {"mlflow.user": "root"}}',
            schema: '{"mlflow_tensorspec": {"features": "[]"}}',
          },
        }],
      }),
  },
  {
    name: "PUT artifact (model/MLmodel)",
    kind: "write",
    request: (c) =>
      put(
        `${v(c, "exp")}/${v(c, "run")}/artifacts/model/MLmodel`,
        "artifact_path: model\nflavors: {}\n",
        "text/plain",
      ),
  },
  {
    name: "PUT artifact (model/model.pkl)",
    kind: "write",
    request: (c) =>
      put(
        `${v(c, "exp")}/${v(c, "run")}/artifacts/model/model.pkl`,
        "\u0080pickle",
        "application/octet-stream",
      ),
  },
  {
    name: "runs/log-model",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-model", {
        run_id: v(c, "run"),
        model_json: JSON.stringify({
          run_id: v(c, "run"),
          artifact_path: "model",
          utc_time_created: "2026-11-27 13:02:42.351894",
          model_uuid: "d6b1dbd1486a46fca79d76030f68a609",
          flavors: { python_function: { loader_module: "mlflow.sklearn" } },
        }),
      }),
  },
  {
    name: "registered-models/create",
    kind: "create",
    request: (c) =>
      json("POST", "registered-models/create", { name: `smoke-model-${v(c, "suffix")}` }),
    capture: (j, c) => (c.model = at(j, "registered_model", "name")),
  },
  {
    name: "model-versions/create",
    kind: "write",
    request: (c) =>
      json("POST", "model-versions/create", {
        name: v(c, "model"),
        source: `mlflow-artifacts:/${v(c, "exp")}/${v(c, "run")}/artifacts/model`,
        run_id: v(c, "run"),
      }),
  },
  {
    name: "registered-models/alias (set)",
    kind: "write",
    request: (c) =>
      json("POST", "registered-models/alias", {
        name: v(c, "model"),
        alias: "champion",
        version: "1",
      }),
  },
  {
    name: "registered-models/alias (get)",
    kind: "read",
    request: (c) => get("registered-models/alias", { name: v(c, "model"), alias: "champion" }),
  },
  {
    name: "model-versions/get-download-uri",
    kind: "read",
    request: (c) => get("model-versions/get-download-uri", { name: v(c, "model"), version: "1" }),
  },
  {
    name: "registered-models/search",
    kind: "read",
    request: (c) =>
      get("registered-models/search", {
        filter: `name = '${v(c, "model")}'`,
        max_results: "100",
      }),
  },
  {
    name: "runs/get (parent, end_run)",
    kind: "read",
    request: (c) => get("runs/get", both(v(c, "run"))),
  },
  {
    name: "runs/update (parent FINISHED)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/update", {
        run_uuid: v(c, "run"),
        status: "FINISHED",
        end_time: T + 200,
        run_id: v(c, "run"),
      }),
  },
  {
    name: "experiments/create (second)",
    kind: "create",
    request: (c) => json("POST", "experiments/create", { name: `tmp-${v(c, "suffix")}` }),
    capture: (j, c) => (c.exp2 = at(j, "experiment_id")),
  },
  {
    name: "experiments/update (rename)",
    kind: "write",
    request: (c) =>
      json("POST", "experiments/update", {
        experiment_id: v(c, "exp2"),
        new_name: `tmp2-${v(c, "suffix")}`,
      }),
  },
  {
    name: "experiments/delete",
    kind: "write",
    request: (c) => json("POST", "experiments/delete", { experiment_id: v(c, "exp2") }),
  },
  {
    name: "experiments/restore",
    kind: "write",
    request: (c) => json("POST", "experiments/restore", { experiment_id: v(c, "exp2") }),
  },
];

const MODEL_FILES: readonly [string, string][] = [
  ["MLmodel", "artifact_path: model\nflavors:\n  sklearn:\n    pickled_model: model.pkl\n"],
  ["model.pkl", "\u0080opaque pickle"],
  ["conda.yaml", "dependencies:\n- python=3.11\n"],
  ["requirements.txt", "scikit-learn==1.5.0\n"],
];

const modelArtifacts = (c: FlowCtx) => `${v(c, "exp")}/models/${v(c, "lm")}/artifacts`;

/** The 3.1.3 session: autolog + fit, log_model (logged models), register, alias, load. */
export const FLOW_3_1_3: readonly FlowStep[] = [
  ...FLOW_2_17.slice(0, 3),
  {
    name: "runs/create",
    kind: "write",
    request: (c) => createRun(c, v(c, "exp"), "autolog"),
    capture: (j, c) => (c.run = at(j, "run", "info", "run_id")),
  },
  {
    name: "runs/log-batch (params)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-batch", {
        run_id: v(c, "run"),
        params: [{ key: "C", value: "1.0" }, { key: "max_iter", value: "50" }],
      }),
  },
  {
    name: "runs/get (after log-parameter)",
    kind: "read",
    request: (c) => get("runs/get", both(v(c, "run"))),
  },
  FLOW_2_17.find((s) => s.name === "runs/log-inputs")!,
  {
    name: "logged-models (create)",
    kind: "write",
    request: (c) =>
      json("POST", "logged-models", {
        experiment_id: v(c, "exp"),
        name: "model",
        source_run_id: v(c, "run"),
        params: [{ key: "C", value: "1.0" }],
        tags: [{ key: "mlflow.user", value: v(c, "user") }],
      }),
    capture: (j, c) => (c.lm = at(j, "model", "info", "model_id")),
  },
  {
    name: "runs/outputs",
    kind: "write",
    request: (c) =>
      json("POST", "runs/outputs", {
        run_id: v(c, "run"),
        models: [{ model_id: v(c, "lm"), step: 0 }],
      }),
  },
  {
    name: "runs/log-batch (model metrics)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/log-batch", {
        run_id: v(c, "run"),
        metrics: [{
          key: "training_score",
          value: 0.96,
          timestamp: T,
          step: 0,
          model_id: v(c, "lm"),
        }],
      }),
  },
  ...MODEL_FILES.map(([file, body]): FlowStep => ({
    name: `PUT model file ${file}`,
    kind: "write",
    request: (c) =>
      put(
        `${modelArtifacts(c)}/${file}`,
        body,
        file.endsWith(".pkl") ? "application/octet-stream" : "text/plain",
      ),
  })),
  {
    name: "logged-models/<id> (finalize)",
    kind: "write",
    request: (c) =>
      json("PATCH", `logged-models/${v(c, "lm")}`, {
        model_id: v(c, "lm"),
        status: "LOGGED_MODEL_READY",
      }),
  },
  {
    name: "runs/update (FINISHED)",
    kind: "write",
    request: (c) =>
      json("POST", "runs/update", {
        ...both(v(c, "run")),
        status: "FINISHED",
        end_time: T + 1000,
      }),
  },
  {
    name: "logged-models/<id> (get)",
    kind: "read",
    request: (c) => get(`logged-models/${v(c, "lm")}`),
  },
  {
    name: "logged-models/search",
    kind: "read",
    request: (c) =>
      json("POST", "logged-models/search", {
        experiment_ids: [v(c, "exp")],
        filter: "name = 'model'",
      }),
  },
  {
    name: "metrics/get-history (paged)",
    kind: "read",
    request: (c) =>
      get("metrics/get-history", {
        run_uuid: v(c, "run"),
        metric_key: "training_score",
        run_id: v(c, "run"),
        max_results: "25000",
      }),
  },
  FLOW_2_17.find((s) => s.name === "registered-models/create")!,
  {
    name: "registered-models/get (before registering)",
    kind: "read",
    request: (c) => get("registered-models/get", { name: v(c, "model") }),
  },
  {
    name: "model-versions/create (models:/)",
    kind: "write",
    request: (c) =>
      json("POST", "model-versions/create", {
        name: v(c, "model"),
        source: `models:/${v(c, "lm")}`,
        run_id: v(c, "run"),
        model_id: v(c, "lm"),
      }),
  },
  {
    name: "logged-models/<id>/tags",
    kind: "write",
    request: (c) =>
      json("PATCH", `logged-models/${v(c, "lm")}/tags`, {
        tags: [{
          key: "mlflow.modelVersions",
          value: JSON.stringify([{ name: v(c, "model"), version: "1" }]),
        }],
      }),
  },
  ...FLOW_2_17.filter((s) =>
    [
      "registered-models/alias (set)",
      "registered-models/alias (get)",
      "model-versions/get-download-uri",
    ]
      .includes(s.name)
  ),
  {
    name: "GET artifacts (list model)",
    kind: "read",
    request: (c) => listArtifacts(modelArtifacts(c)),
  },
  {
    name: "GET artifact (model file)",
    kind: "read",
    request: (c) => get(`${PROXY}/${modelArtifacts(c)}/MLmodel`),
  },
  {
    name: "model-versions/transition-stage",
    kind: "write",
    request: (c) =>
      json("POST", "model-versions/transition-stage", {
        name: v(c, "model"),
        version: "1",
        stage: "Production",
        archive_existing_versions: false,
      }),
  },
  {
    name: "registered-models/get-latest-versions",
    kind: "read",
    request: (c) =>
      json("POST", "registered-models/get-latest-versions", {
        name: v(c, "model"),
        stages: ["Production"],
      }),
  },
];

const AJAX = "/ajax-api/2.0/mlflow";

/** The web UI's reads (and its upload) of what a 2.17 session logged, through `/ajax-api`. */
export const FLOW_UI: readonly FlowStep[] = [
  {
    name: "ajax experiments/search",
    kind: "read",
    request: () => get(`${AJAX}/experiments/search`, { max_results: "20000" }),
  },
  {
    name: "ajax experiments/get",
    kind: "read",
    request: (c) => get(`${AJAX}/experiments/get`, { experiment_id: v(c, "exp") }),
  },
  {
    name: "ajax runs/search",
    kind: "read",
    request: (c) =>
      json("POST", `${AJAX}/runs/search`, {
        experiment_ids: [v(c, "exp")],
        run_view_type: "ACTIVE_ONLY",
        max_results: 100,
        order_by: ["attributes.start_time DESC"],
      }),
  },
  {
    name: "ajax runs/get",
    kind: "read",
    request: (c) => get(`${AJAX}/runs/get`, { run_id: v(c, "run") }),
  },
  {
    name: "ajax artifacts/list (run_uuid)",
    kind: "read",
    request: (c) => get(`${AJAX}/artifacts/list`, { run_uuid: v(c, "run") }),
  },
  {
    name: "ajax metrics/get-history-bulk",
    kind: "read",
    request: (c) =>
      get(`${AJAX}/metrics/get-history-bulk`, { run_id: v(c, "run"), metric_key: "loss" }),
  },
  {
    name: "ajax model-versions/search",
    kind: "read",
    request: (c) => get(`${AJAX}/model-versions/search`, { filter: `run_id='${v(c, "run")}'` }),
  },
  {
    name: "ajax registered-models/search",
    kind: "read",
    request: () =>
      get(`${AJAX}/registered-models/search`, {
        filter: "",
        max_results: "25",
        order_by: "name ASC",
      }),
  },
  {
    name: "get-artifact (run_uuid)",
    kind: "read",
    request: (c) => get("/get-artifact", { path: "hello.txt", run_uuid: v(c, "run") }),
  },
  {
    name: "ajax upload-artifact (run_uuid)",
    kind: "write",
    request: (c) => ({
      method: "POST",
      path: `${AJAX}/upload-artifact?run_uuid=${v(c, "run")}&path=ui-drop.txt`,
      body: "dropped",
      headers: { "content-type": "text/plain" },
    }),
  },
];

const IS_PROMPT = { key: "mlflow.prompt.is_prompt", value: "true" };
const promptText = (text: string) => ({ key: "mlflow.prompt.text", value: text });
const prompt = (c: FlowCtx) => `greeting-${v(c, "suffix")}`;

/**
 * The 3.1.3 prompt registry session (mlflow-client-traffic.md, "MLflow 3.1.3: prompt registry"):
 * `register_prompt` twice, `set_prompt_alias`, `load_prompt` by version and by alias,
 * `search_prompts`. The prompt is `greeting-<suffix>` (recorded: `greeting`).
 */
export const FLOW_PROMPTS: readonly FlowStep[] = [
  {
    name: "registered-models/get (missing prompt)",
    kind: "read",
    recorded: 404,
    request: (c) => get("registered-models/get", { name: prompt(c) }),
  },
  {
    name: "registered-models/create (prompt)",
    kind: "create",
    request: (c) =>
      json("POST", "registered-models/create", {
        name: prompt(c),
        tags: [IS_PROMPT, { key: "task", value: "greet" }],
        description: "first",
      }),
    capture: (j, c) => (c.model = at(j, "registered_model", "name")),
  },
  {
    name: "model-versions/create (prompt v1)",
    kind: "write",
    request: (c) =>
      json("POST", "model-versions/create", {
        name: prompt(c),
        source: "dummy-source",
        tags: [{ key: "task", value: "greet" }, IS_PROMPT, promptText("Hello {{name}}!")],
        description: "first",
      }),
  },
  ...[1, 2].map((i): FlowStep => ({
    name: `registered-models/get (after v1, ${i})`,
    kind: "read",
    request: (c) => get("registered-models/get", { name: prompt(c) }),
  })),
  {
    name: "model-versions/create (prompt v2)",
    kind: "write",
    request: (c) =>
      json("POST", "model-versions/create", {
        name: prompt(c),
        source: "dummy-source",
        tags: [IS_PROMPT, promptText("Hi {{name}}, welcome!")],
        description: "second",
      }),
  },
  ...[1, 2].map((i): FlowStep => ({
    name: `registered-models/get (after v2, ${i})`,
    kind: "read",
    request: (c) => get("registered-models/get", { name: prompt(c) }),
  })),
  {
    name: "model-versions/get (prompt v2)",
    kind: "read",
    request: (c) => get("model-versions/get", { name: prompt(c), version: "2" }),
  },
  {
    name: "registered-models/alias (set production)",
    kind: "write",
    request: (c) =>
      json("POST", "registered-models/alias", {
        name: prompt(c),
        alias: "production",
        version: "2",
      }),
  },
  {
    name: "registered-models/get (load v1)",
    kind: "read",
    request: (c) => get("registered-models/get", { name: prompt(c) }),
  },
  {
    name: "model-versions/get (load v1)",
    kind: "read",
    request: (c) => get("model-versions/get", { name: prompt(c), version: "1" }),
  },
  {
    name: "registered-models/get (load @production)",
    kind: "read",
    request: (c) => get("registered-models/get", { name: prompt(c) }),
  },
  {
    name: "registered-models/alias (get production)",
    kind: "read",
    request: (c) => get("registered-models/alias", { name: prompt(c), alias: "production" }),
  },
  {
    name: "registered-models/get (after alias)",
    kind: "read",
    request: (c) => get("registered-models/get", { name: prompt(c) }),
  },
  {
    name: "model-versions/get (alias's version)",
    kind: "read",
    request: (c) => get("model-versions/get", { name: prompt(c), version: "2" }),
  },
  {
    name: "registered-models/search (prompts)",
    kind: "read",
    request: () =>
      get("registered-models/search", {
        filter: "tags.`mlflow.prompt.is_prompt` = 'true'",
        max_results: "100",
      }),
  },
];

/** The flows by name, for reports. */
export const CLIENT_FLOWS: Readonly<Record<string, readonly FlowStep[]>> = {
  "2.17.0 smoke, then the web UI": [...FLOW_2_17, ...FLOW_UI],
  "3.1.3 models": FLOW_3_1_3,
  "3.1.3 prompts": FLOW_PROMPTS,
};

/** One step's outcome. */
export interface StepResult {
  name: string;
  kind: FlowStep["kind"];
  /** The status of the recording (see {@linkcode FlowStep.recorded}). */
  recorded: number;
  req: Req;
  reply: Reply;
}

/**
 * Replays `steps` through `send`, capturing ids from 2xx JSON answers into `ctx` (which must
 * hold `user` and `suffix`). With `capture: false` the context is used as given (for a caller
 * whose requests are refused and so learn nothing: replay with a context a successful run
 * filled).
 */
export async function replayFlow(
  steps: readonly FlowStep[],
  ctx: FlowCtx,
  send: (req: Req) => Promise<Reply>,
  opts: { capture?: boolean; only?: (step: FlowStep) => boolean } = {},
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    if (opts.only && !opts.only(step)) continue;
    const req = step.request(ctx);
    const reply = await send(req);
    if (opts.capture !== false && step.capture && reply.status < 300) step.capture(reply.json, ctx);
    results.push({ name: step.name, kind: step.kind, recorded: step.recorded ?? 200, req, reply });
  }
  return results;
}
