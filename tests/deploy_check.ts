/**
 * `deno task deploy-check`: kvflow as Deno Deploy runs it, on this machine (issue 12 §4).
 *
 * - the server runs with `--allow-net --allow-env --allow-read` only (no write, no subprocess:
 *   the UI bundle must have been built beforehand, as `deno task build` does in Deploy's build
 *   step), with `DENO_DEPLOYMENT_ID` set, so auth is forced on and the admin comes from
 *   `KVFLOW_ADMIN_USERNAME` / `KVFLOW_ADMIN_PASSWORD`;
 * - no `--backend-store-uri`: `Deno.openKv()` opens the platform's database, here the KV Connect
 *   tool (tests/helpers/kvconnect.ts) through `DENO_KV_DEFAULT_PATH`;
 * - artifacts on S3 (s3rver, tests/helpers/s3rver.ts) through `MLFLOW_ARTIFACTS_DESTINATION`;
 * - then the MLflow client's recorded flows (tests/helpers/client_flows.ts) with Basic auth, a
 *   browser login, and every UI page and the assets they link, each with its expected status.
 *
 * {@linkcode runDeployCheck} is what tests/deploy_check_test.ts calls; run as a script it prints
 * a summary and exits 1 on any failure.
 *
 * @module
 */
import { ensureBundle } from "../ui/bundle.ts";
import { fullPath, readReply, type Reply, type Req } from "./helpers/auth_world.ts";
import { CLIENT_FLOWS, type FlowCtx, replayFlow } from "./helpers/client_flows.ts";
import { startKvConnect } from "./helpers/kvconnect.ts";
import { startS3rver } from "./helpers/s3rver.ts";
import { startServer } from "./server_helpers.ts";

/** What Deno Deploy grants a deployment; the server gets nothing more. */
export const DEPLOY_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
];

/** The admin account the check's server is configured with (the project's env vars on Deploy). */
export const DEPLOY_CHECK_ADMIN = {
  username: "deploy-admin",
  password: "deploy check password 0123",
};

const BUCKET = "kvflow-deploy-check";
/** One request may not take longer than this: a hung server fails the check. */
const REQUEST_TIMEOUT_MS = 15_000;

/** One checked request. */
export interface CheckedRequest {
  /** `flow <name>: <step>` or `page <path>`. */
  name: string;
  status: number;
  expected: number;
}

/** The outcome of {@linkcode runDeployCheck}. */
export interface DeployCheckResult {
  /** Every request made, in order. */
  requests: CheckedRequest[];
  /** One line per problem; empty when the check passed. */
  failures: string[];
  /** The server's output (stdout and stderr), for diagnosing a failure. */
  serverOutput: string;
  /** Wall time of the whole check, in ms. */
  ms: number;
}

/**
 * Sends `req` to `base` with the given extra headers; reads the reply whole. A request that
 * fails or times out is a reply with status 0 and the error as its text, so the check reports
 * it with the others.
 */
async function send(base: string, req: Req, headers: Record<string, string>): Promise<Reply> {
  try {
    return await sendOnce(base, req, headers);
  } catch (err) {
    const text = `${req.method} ${req.path}: ${err instanceof Error ? err.message : err}`;
    return { status: 0, type: "", text, headers: new Headers(), json: undefined };
  }
}

async function sendOnce(base: string, req: Req, headers: Record<string, string>): Promise<Reply> {
  const h: Record<string, string> = { ...headers, ...req.headers };
  let body: BodyInit | undefined;
  if (typeof req.body === "string") body = req.body;
  else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    h["content-type"] ??= "application/json";
  }
  const res = await fetch(`${base}${fullPath(req.path)}`, {
    method: req.method,
    headers: h,
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return await readReply(res);
}

/**
 * Starts KV Connect, s3rver and a Deploy-like kvflow, drives the client flows and the UI, and
 * stops everything. Never throws for a failed expectation: those are in `failures`.
 *
 * @throws {Error} when KV Connect, s3rver or the server cannot be started.
 */
export async function runDeployCheck(): Promise<DeployCheckResult> {
  const started = performance.now();
  // Deploy's build step: the server below cannot write or spawn, so it cannot build the bundle.
  await ensureBundle();
  const kv = await startKvConnect();
  const s3 = await startS3rver({ buckets: [BUCKET] }).catch(async (err) => {
    await kv.stop();
    throw err;
  });
  const requests: CheckedRequest[] = [];
  const failures: string[] = [];
  let serverOutput = "";
  try {
    const server = await startServer({
      kvPath: null,
      permissions: [...DEPLOY_PERMISSIONS],
      env: {
        ...kv.env,
        DENO_DEPLOYMENT_ID: "deploy-check",
        DENO_KV_DEFAULT_PATH: kv.url,
        // As on Deploy: never fall back to a local KV file.
        DENO_KV_REQUIRES_DISTRIBUTED_DATABASE: "error",
        KVFLOW_ADMIN_USERNAME: DEPLOY_CHECK_ADMIN.username,
        KVFLOW_ADMIN_PASSWORD: DEPLOY_CHECK_ADMIN.password,
        MLFLOW_ARTIFACTS_DESTINATION: `s3://${BUCKET}/artifacts`,
        MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_DEFAULT_REGION: "us-east-1",
      },
    });
    try {
      const before = await kv.stats();
      await drive(server.url, requests, failures);
      // The data went where Deploy's would: the remote KV, and S3 for artifacts.
      const after = await kv.stats();
      if (after.atomic_write <= before.atomic_write) {
        failures.push(
          "the server wrote nothing to KV Connect: Deno.openKv() opened something else",
        );
      }
      if (!server.output().includes("store: Deno KV (platform default)")) {
        failures.push("the server did not open the platform's default database");
      }
      if (!server.output().includes(`artifacts: s3://${BUCKET}/artifacts`)) {
        failures.push("the server does not store artifacts on S3");
      }
    } finally {
      await server.stop();
      serverOutput = server.output();
    }
    // A request that failed inside the server shows here even if its status looked right.
    for (const line of serverOutput.split("\n")) {
      if (/kvflow: (Unhandled|unhandled|the web UI is unavailable|[A-Z_]+ 5\d\d on)/.test(line)) {
        failures.push(`server logged: ${line.slice(0, 300)}`);
      }
    }
  } finally {
    await s3.stop();
    await kv.stop();
  }
  return { requests, failures, serverOutput, ms: performance.now() - started };
}

/** The flows, the login, the pages. */
async function drive(base: string, requests: CheckedRequest[], failures: string[]) {
  const check = (name: string, reply: Reply, expected: number) => {
    requests.push({ name, status: reply.status, expected });
    if (reply.status !== expected) {
      const text = reply.text.replace(/\s+/g, " ").slice(0, 200);
      failures.push(`${name}: ${reply.status}, expected ${expected}: ${text}`);
    }
  };
  const basic = `Basic ${btoa(`${DEPLOY_CHECK_ADMIN.username}:${DEPLOY_CHECK_ADMIN.password}`)}`;
  const client = { authorization: basic, "user-agent": "mlflow-python-client/2.17.0" };

  // Anonymous API calls are refused: auth is on without being asked for.
  check(
    "anonymous experiments/search",
    await send(base, { method: "POST", path: "experiments/search", body: {} }, {}),
    401,
  );

  const contexts: FlowCtx[] = [];
  for (const [flowName, steps] of Object.entries(CLIENT_FLOWS)) {
    const ctx: FlowCtx = { user: DEPLOY_CHECK_ADMIN.username, suffix: crypto.randomUUID() };
    const results = await replayFlow(steps, ctx, (req) => send(base, req, client));
    for (const r of results) {
      check(`flow ${flowName}: ${r.name}`, r.reply, r.recorded);
    }
    contexts.push(ctx);
  }

  // A browser login: the form, then the session cookie for every page.
  check("page /login (form)", await send(base, { method: "GET", path: "/login" }, {}), 200);
  const login = await send(base, {
    method: "POST",
    path: "/login",
    body: new URLSearchParams({
      username: DEPLOY_CHECK_ADMIN.username,
      password: DEPLOY_CHECK_ADMIN.password,
      next: "/",
    }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
  }, {});
  check("login form POST", login, 303);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  if (cookie === "") failures.push("login set no session cookie");
  const browser = { cookie, accept: "text/html" };

  const [smoke, models] = contexts;
  const pages = [
    "/",
    `/experiments/${smoke.exp}`,
    `/runs/${smoke.run}`,
    `/compare?runs=${smoke.run},${smoke.child ?? smoke.run}`,
    "/models",
    `/models/${encodeURIComponent(smoke.model ?? models.model)}`,
    `/logged-models/${models.lm}`,
    "/admin/users",
    "/settings/tokens",
  ];
  const assets = new Set<string>();
  for (const path of pages) {
    const reply = await send(base, { method: "GET", path }, browser);
    check(`page ${path}`, reply, 200);
    if (reply.status === 200 && !/^text\/html/.test(reply.type)) {
      failures.push(`page ${path}: content-type ${reply.type}`);
    }
    for (const m of reply.text.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)) assets.add(m[1]);
  }
  if (![...assets].some((a) => /\/client\.[0-9a-f]+\.js$/.test(a))) {
    failures.push(`no page linked the island bundle (assets: ${[...assets].join(", ")})`);
  }
  for (const path of assets) {
    check(`asset ${path}`, await send(base, { method: "GET", path }, browser), 200);
  }
}

/** One line per figure, for the task's output. */
export function summarize(result: DeployCheckResult): string {
  const flows = result.requests.filter((r) => r.name.startsWith("flow ")).length;
  const pages = result.requests.filter((r) => r.name.startsWith("page ")).length;
  const assets = result.requests.filter((r) => r.name.startsWith("asset ")).length;
  const head = result.failures.length === 0 ? "deploy-check: ok" : "deploy-check: FAILED";
  return [
    `${head}: ${DEPLOY_PERMISSIONS.join(" ")}, DENO_DEPLOYMENT_ID set, Deno.openKv() on KV ` +
    `Connect (DENO_KV_DEFAULT_PATH), artifacts on S3 (s3rver), auth on`,
    `  ${flows} client-flow requests, ${pages} UI pages, ${assets} static assets, ` +
    `${result.requests.length} requests in all, ${(result.ms / 1000).toFixed(1)} s`,
    ...result.failures.map((f) => `  FAIL ${f}`),
  ].join("\n");
}

if (import.meta.main) {
  const result = await runDeployCheck();
  console.log(summarize(result));
  if (result.failures.length > 0) {
    console.log(`server output:\n${result.serverOutput.slice(-4000)}`);
    Deno.exit(1);
  }
}
