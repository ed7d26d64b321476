/**
 * One app with auth on, seeded for the auth tests that prove every route is behind it (the
 * permission matrix, the client-flow replays, the auth fuzz): memory stores, a local artifact
 * repository in a temp dir, one user per permission level plus an admin, and a shared fixture
 * (an experiment with a run, an artifact and a logged model; a registered model with a version
 * and an alias) on which each level user holds exactly their level.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { UNAUTHENTICATED_MESSAGE, WWW_AUTHENTICATE } from "../../routes/auth/authenticate.ts";
import { type AuthOptions, PERMISSION_DENIED_MESSAGE } from "../../routes/auth/middleware.ts";
import { createApp } from "../../routes/mod.ts";
import { createServerMetrics } from "../../routes/monitoring/server_metrics.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import type { AuthStore, Permission } from "../../store/auth/types.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";

/** Every user's password (AuthStore needs 12+ characters). */
export const PASSWORD = "a long enough password";
/** Cheap KDF for tests: the hashes are still real PBKDF2. */
export const TEST_PBKDF2_ITERATIONS = 1000;

/** Where the tracking endpoints live; relative test paths are under it. */
export const API = "/api/2.0/mlflow";
/** Where the artifact proxy lives. */
export const PROXY = "/api/2.0/mlflow-artifacts";

/** Who calls: nobody, a non-admin holding one level on the shared fixture, or an admin. */
export type CallerKind = "anonymous" | Permission | "admin";
/** The matrix's callers, in its column order. */
export const CALLERS: readonly CallerKind[] = [
  "anonymous",
  "NO_PERMISSIONS",
  "READ",
  "EDIT",
  "MANAGE",
  "admin",
];
/** The levels a non-admin caller can hold. */
export const LEVELS: readonly Permission[] = ["NO_PERMISSIONS", "READ", "EDIT", "MANAGE"];

/** The user behind each authenticated caller kind. */
export const USER_OF: Readonly<Record<Exclude<CallerKind, "anonymous">, string>> = {
  NO_PERMISSIONS: "nobody",
  READ: "reader",
  EDIT: "editor",
  MANAGE: "manager",
  admin: "admin",
};

/** A user no fixture grant names: the target of user routes about someone else. */
export const BYSTANDER = "bystander";

/** The `Authorization` value of HTTP Basic for a user. */
export function basic(username: string, password = PASSWORD): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}

/** A request as the tests describe it: path relative to the REST prefix unless it starts `/`. */
export interface Req {
  method: string;
  path: string;
  /** JSON-encoded unless a string or bytes. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A reply read whole. */
export interface Reply {
  status: number;
  type: string;
  text: string;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  json: any;
}

/** Reads `res` whole into a {@linkcode Reply}; `json` is undefined when the body is not JSON. */
export async function readReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text,
    headers: res.headers,
    json,
  };
}

/** The shared, seeded app. */
export interface AuthWorld extends AsyncDisposable {
  app: ReturnType<typeof createApp>;
  auth: AuthStore;
  store: TrackingStore;
  defaultPermission: Permission;
  /** The shared experiment: its id and name. */
  exp: string;
  expName: string;
  /** A run in `exp`, with metric `m`, param `p`, tag `t` and artifact `hello.txt`. */
  run: string;
  /** A logged model in `exp`, with tag `t` and file `MLmodel`. */
  loggedModel: string;
  /** A registered model with version 1 (alias `champion`, tag `t`) and model tag `t`. */
  model: string;
  /** Sends `req` with an `Authorization` header (none when null). */
  send(req: Req, authorization: string | null): Promise<Reply>;
  /** Sends `req` as the caller (Basic with the caller's user; nothing for anonymous). */
  as(caller: CallerKind, req: Req): Promise<Reply>;
  /** Sends `req` as the admin and asserts a 2xx. */
  admin(req: Req): Promise<Reply>;
  /** Grants the caller's level on an experiment (no-op for anonymous and admin). */
  grantExperiment(caller: CallerKind, experimentId: string): Promise<void>;
  /** Grants the caller's level on a registered model (no-op for anonymous and admin). */
  grantModel(caller: CallerKind, name: string): Promise<void>;
  /**
   * A fresh experiment with a run in it (tag `t`, metric `m`; artifact `hello.txt` when asked),
   * the caller holding their level on it.
   */
  freshExperiment(
    caller: CallerKind,
    opts?: { artifact?: boolean },
  ): Promise<{ exp: string; run: string; name: string }>;
  /**
   * A fresh registered model with version 1 (from a run in an experiment without grants), the
   * caller holding their level on it.
   */
  freshModel(caller: CallerKind): Promise<string>;
  /** A unique name, for throwaway resources. */
  unique(prefix: string): string;
}

/** Options of {@linkcode createAuthWorld}. */
export interface AuthWorldOptions {
  defaultPermission?: Permission;
  /** Extra auth options (e.g. a credential cache with its own limiter). */
  auth?: Partial<AuthOptions>;
}

function toInit(req: Req, authorization: string | null): RequestInit {
  const headers: Record<string, string> = { ...req.headers };
  if (authorization !== null) headers.authorization = authorization;
  let body: BodyInit | undefined;
  if (req.body !== undefined) {
    if (typeof req.body === "string" || req.body instanceof Uint8Array) {
      body = req.body as BodyInit;
    } else {
      body = JSON.stringify(req.body);
      headers["content-type"] ??= "application/json";
    }
  }
  return { method: req.method, headers, body };
}

const ERROR_TYPE = /^application\/json/;

/**
 * Why `reply` is not the 401 of issue 11 §5 (kvflow's form of MLflow's), or null. Without
 * `challenge`, the 401 of a browser whose session ended: the same, without `WWW-Authenticate`
 * (its scripts' calls must not open the browser's Basic dialog).
 */
export function not401(reply: Reply, challenge = true): string | null {
  if (reply.status !== 401) return `status ${reply.status}, want 401`;
  if (reply.headers.get("www-authenticate") !== (challenge ? WWW_AUTHENTICATE : null)) {
    return `WWW-Authenticate ${reply.headers.get("www-authenticate")}`;
  }
  if (!ERROR_TYPE.test(reply.type)) return `content type ${reply.type}`;
  const want = JSON.stringify({ error_code: "UNAUTHENTICATED", message: UNAUTHENTICATED_MESSAGE });
  return reply.text === want ? null : `body ${reply.text.slice(0, 200)}`;
}

/** Why `reply` is not a 403 PERMISSION_DENIED in MLflow's JSON shape, or null. */
export function not403(
  reply: Reply,
  message: string | null = PERMISSION_DENIED_MESSAGE,
): string | null {
  if (reply.status !== 403) return `status ${reply.status}, want 403`;
  if (reply.headers.has("www-authenticate")) return "a 403 carries WWW-Authenticate";
  if (!ERROR_TYPE.test(reply.type)) return `content type ${reply.type}`;
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(reply.text);
  } catch {
    body = undefined;
  }
  if (
    body?.error_code !== "PERMISSION_DENIED" || Object.keys(body ?? {}).sort().join() !==
      "error_code,message" ||
    (message !== null && body.message !== message)
  ) {
    return `body ${reply.text.slice(0, 200)}`;
  }
  return null;
}

/** The full path of a test request. */
export function fullPath(path: string): string {
  return path.startsWith("/") ? path : `${API}/${path}`;
}

/** Builds and seeds the world; dispose it to remove its temp dir. */
export async function createAuthWorld(opts: AuthWorldOptions = {}): Promise<AuthWorld> {
  const defaultPermission = opts.defaultPermission ?? "READ";
  const auth = createMemoryAuthStore({ pbkdf2Iterations: TEST_PBKDF2_ITERATIONS });
  const store = createMemoryStore();
  const dir = await Deno.makeTempDir({ prefix: "kvflow-auth-world-" });
  const app = createApp({
    store,
    artifacts: createLocalArtifactRepository({ rootDir: dir }),
    auth: { store: auth, defaultPermission, ...opts.auth },
    // So /metrics (admin-only) is served and in the permission matrix.
    metrics: createServerMetrics("test"),
  });
  await auth.createUser(USER_OF.admin, PASSWORD, true);
  for (const level of LEVELS) await auth.createUser(USER_OF[level], PASSWORD, false);
  await auth.createUser(BYSTANDER, PASSWORD, false);

  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;

  const send = async (req: Req, authorization: string | null): Promise<Reply> => {
    const res = await app.request(fullPath(req.path), toInit(req, authorization));
    return await readReply(res);
  };
  const as = (caller: CallerKind, req: Req) =>
    send(req, caller === "anonymous" ? null : basic(USER_OF[caller]));
  const admin = async (req: Req) => {
    const r = await as("admin", req);
    assert.ok(r.status < 300, `seeding ${req.method} ${req.path}: ${r.status} ${r.text}`);
    return r;
  };
  const grantExperiment = async (caller: CallerKind, id: string) => {
    if (caller === "anonymous" || caller === "admin") return;
    await auth.createExperimentPermission(id, USER_OF[caller], caller);
  };
  const grantModel = async (caller: CallerKind, name: string) => {
    if (caller === "anonymous" || caller === "admin") return;
    await auth.createRegisteredModelPermission(name, USER_OF[caller], caller);
  };

  const newExperiment = async (name: string, artifact = true) => {
    const exp = (await admin({ method: "POST", path: "experiments/create", body: { name } })).json
      .experiment_id as string;
    const run = (await admin({
      method: "POST",
      path: "runs/create",
      body: { experiment_id: exp, start_time: 1_700_000_000_000 },
    })).json.run.info.run_id as string;
    await admin({
      method: "POST",
      path: "runs/log-batch",
      body: {
        run_id: run,
        metrics: [{ key: "m", value: 1, timestamp: 1_700_000_000_000, step: 0 }],
        params: [{ key: "p", value: "1" }],
        tags: [{ key: "t", value: "1" }],
      },
    });
    if (!artifact) return { exp, run };
    await admin({
      method: "PUT",
      path: `${PROXY}/artifacts/${exp}/${run}/artifacts/hello.txt`,
      body: "hello",
      headers: { "content-type": "text/plain" },
    });
    return { exp, run };
  };
  const newModel = async (name: string, run: string) => {
    await admin({
      method: "POST",
      path: "registered-models/create",
      body: { name, tags: [{ key: "t", value: "1" }] },
    });
    await admin({
      method: "POST",
      path: "model-versions/create",
      body: { name, source: `runs:/${run}/model`, run_id: run, tags: [{ key: "t", value: "1" }] },
    });
    await admin({
      method: "POST",
      path: "registered-models/alias",
      body: { name, alias: "champion", version: "1" },
    });
  };

  const expName = "matrix-shared-experiment";
  const { exp, run } = await newExperiment(expName);
  const loggedModel = (await admin({
    method: "POST",
    path: "logged-models",
    body: { experiment_id: exp, name: "matrix-lm", source_run_id: run },
  })).json.model.info.model_id as string;
  await admin({
    method: "PATCH",
    path: `logged-models/${loggedModel}/tags`,
    body: { tags: [{ key: "t", value: "1" }] },
  });
  await admin({
    method: "PUT",
    path: `${PROXY}/artifacts/${exp}/models/${loggedModel}/artifacts/MLmodel`,
    body: "flavors: {}\n",
    headers: { "content-type": "text/plain" },
  });
  const model = "matrix-shared-model";
  await newModel(model, run);
  // Version 1's source is runs:/<run>/model: a file there for model-versions/get-artifact.
  await admin({
    method: "PUT",
    path: `${PROXY}/artifacts/${exp}/${run}/artifacts/model/MLmodel`,
    body: "flavors: {}\n",
    headers: { "content-type": "text/plain" },
  });
  // Fresh models' versions come from a run nobody is refused, so that a caller who may read a
  // fresh model is not shown the shared run's id through it.
  const open = await newExperiment("matrix-open-experiment", false);
  for (const level of LEVELS) {
    await grantExperiment(level, exp);
    await grantModel(level, model);
  }

  return {
    app,
    auth,
    store,
    defaultPermission,
    exp,
    expName,
    run,
    loggedModel,
    model,
    send,
    as,
    admin,
    grantExperiment,
    grantModel,
    async freshExperiment(caller, opts = {}) {
      const name = unique("fresh-exp");
      const made = await newExperiment(name, opts.artifact ?? false);
      await grantExperiment(caller, made.exp);
      return { ...made, name };
    },
    async freshModel(caller) {
      const name = unique("fresh-model");
      await newModel(name, open.run);
      await grantModel(caller, name);
      return name;
    },
    unique,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}
