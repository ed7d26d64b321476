/**
 * Shared helpers of the HTTP-level tests: a fresh app over the memory store, request builders,
 * and the status → content type → body check every test makes.
 *
 * @module
 */
import { namesRequestId } from "../../routes/errors.ts";
import assert from "node:assert/strict";
import { type AppDeps, createApp } from "../../routes/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";

export const API = "/api/2.0/mlflow";

/** What every test talks to: `createApp` over a fresh memory store. */
export type TestApp = ReturnType<typeof createApp>;

export function newApp(opts: Partial<AppDeps> = {}): TestApp {
  return createApp({ store: createMemoryStore(), ...opts });
}

/** A POST with a JSON body, as the Python client sends it (`json.dumps` default separators). */
export function post(app: TestApp, path: string, body: unknown, headers: HeadersInit = {}) {
  return app.request(path.startsWith("/") ? path : `${API}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A GET with query args (repeat a key by passing an array). */
export function get(app: TestApp, path: string, query: Record<string, string | string[]> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  }
  const qs = params.toString();
  return app.request(`${path.startsWith("/") ? path : `${API}/${path}`}${qs ? `?${qs}` : ""}`);
}

/** Asserts a JSON reply with this status and returns the parsed body. */
export async function expectJson(
  res: Response | Promise<Response>,
  status: number,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, status, `status ${r.status}, body ${text}`);
  assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
  return JSON.parse(text);
}

/**
 * Asserts an MLflow error reply and returns its message. A 5xx but 501 also carries its request id (in
 * `request_id` and at the end of the message, routes/errors.ts): it is checked against the
 * `X-Request-Id` header and cut from the message returned.
 */
export async function expectError(
  res: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<string> {
  const r = await res;
  const body = await expectJson(r, status);
  assert.equal(body.error_code, code, JSON.stringify(body));
  assert.equal(typeof body.message, "string");
  if (!namesRequestId(status)) {
    assert.deepEqual(Object.keys(body).sort(), ["error_code", "message"]);
    return body.message;
  }
  assert.deepEqual(Object.keys(body).sort(), ["error_code", "message", "request_id"]);
  assert.equal(body.request_id, r.headers.get("x-request-id"));
  const suffix = ` (request id ${body.request_id})`;
  assert.ok(body.message.endsWith(suffix), body.message);
  return body.message.slice(0, -suffix.length);
}

export const MISSING = (name: string) =>
  `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`;

/** Asserts MLflow's reply to a request that lacks the required parameter `name`. */
export async function expectMissing(res: Response | Promise<Response>, name: string) {
  assert.equal(await expectError(res, 400, "INVALID_PARAMETER_VALUE"), MISSING(name));
}

/** Creates an experiment and returns its id. */
export async function createExperiment(app: TestApp, name = `exp-${crypto.randomUUID()}`) {
  return (await expectJson(post(app, "experiments/create", { name }), 200)).experiment_id as string;
}

/** The exact `runs/create` body of the recorded Python client, in an experiment. */
export function clientCreateRunBody(experimentId: string) {
  return {
    experiment_id: experimentId,
    user_id: "root",
    run_name: "parent",
    start_time: 1795784555638,
    tags: [
      { key: "mlflow.user", value: "root" },
      { key: "mlflow.source.name", value: "<peer>/client_smoke.py" },
      { key: "mlflow.source.type", value: "LOCAL" },
      { key: "mlflow.runName", value: "parent" },
    ],
  };
}

/** Creates a run the way the Python client does and returns its id. */
export async function createRun(app: TestApp, experimentId?: string) {
  const exp = experimentId ?? await createExperiment(app);
  const body = await expectJson(post(app, "runs/create", clientCreateRunBody(exp)), 200);
  return body.run.info.run_id as string;
}
