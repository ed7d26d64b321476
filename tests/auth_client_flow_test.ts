/**
 * The MLflow client's recorded flows (tests/helpers/client_flows.ts, from
 * mlflow-client-traffic.md) replayed against an app with auth on (issue 11, Tests):
 *
 * - by a non-admin user with `Authorization: Basic` (who creates their experiment and registered
 *   model, so holds MANAGE on them), and again with `Authorization: Bearer <API token>`: every
 *   request gets the status the same flow gets from a server without auth;
 * - by an anonymous client: 401 on every request;
 * - by a READ user replaying the writes on the first user's resources: 403 on each, and nothing
 *   changes.
 *
 * Also the exact 401 and 403 forms (mlflow-auth-traffic.md §1–§3, with kvflow's realm and
 * MLflow's JSON error shape).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { UNAUTHENTICATED_MESSAGE } from "../routes/auth/authenticate.ts";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import {
  type AuthWorld,
  basic,
  createAuthWorld,
  fullPath,
  not401,
  not403,
  PASSWORD,
  PROXY,
  readReply,
  type Reply,
  type Req,
  USER_OF,
} from "./helpers/auth_world.ts";
import {
  CLIENT_FLOWS,
  type FlowCtx,
  type FlowStep,
  replayFlow,
  type StepResult,
} from "./helpers/client_flows.ts";

const UA = { "user-agent": "mlflow-python-client/2.17.0" };
const ALICE = "alice";

/** Sends through `app` with the client's User-Agent and an optional `Authorization`. */
function sender(app: ReturnType<typeof createApp>, authorization: string | null) {
  return async (req: Req): Promise<Reply> => {
    const headers: Record<string, string> = { ...UA, ...req.headers };
    if (authorization !== null) headers.authorization = authorization;
    let body: BodyInit | undefined;
    if (typeof req.body === "string") body = req.body;
    else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(fullPath(req.path), { method: req.method, headers, body });
    return await readReply(res);
  };
}

/** The flow against a server without auth: the statuses every authenticated replay must match. */
async function baseline(steps: readonly FlowStep[]): Promise<StepResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-flow-baseline-" });
  try {
    const app = createApp({
      store: createMemoryStore(),
      artifacts: createLocalArtifactRepository({ rootDir: dir }),
    });
    return await replayFlow(steps, { user: ALICE, suffix: "baseline" }, sender(app, null));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function statuses(results: StepResult[]): string[] {
  return results.map((r) => `${r.name}: ${r.reply.status}`);
}

/** What alice's resources look like, read back as alice: must not move under a READ user. */
async function snapshot(w: AuthWorld, ctx: FlowCtx): Promise<string[]> {
  const reads: Req[] = [];
  const get = (path: string) => reads.push({ method: "GET", path });
  for (const key of ["exp", "exp2"]) {
    if (ctx[key]) get(`experiments/get?experiment_id=${ctx[key]}`);
  }
  for (const key of ["run", "child"]) {
    if (ctx[key]) {
      get(`runs/get?run_id=${ctx[key]}`);
      get(`metrics/get-history?run_id=${ctx[key]}&metric_key=loss`);
      get(`artifacts/list?run_id=${ctx[key]}`);
    }
  }
  if (ctx.model) {
    get(`registered-models/get?name=${ctx.model}`);
    get(`model-versions/search?filter=${encodeURIComponent(`name='${ctx.model}'`)}`);
  }
  if (ctx.lm) get(`logged-models/${ctx.lm}`);
  const send = sender(w.app, basic(ALICE));
  const out: string[] = [];
  for (const req of reads) {
    const r = await send(req);
    assert.equal(r.status, 200, `${req.path}: ${r.text}`);
    out.push(r.text);
  }
  return out;
}

Deno.test("auth client flows: Basic and Bearer replays get the unauthenticated statuses; anonymous 401; READ writes 403", async () => {
  await using w = await createAuthWorld({ defaultPermission: "READ" });
  await w.auth.createUser(ALICE, PASSWORD, false);
  const { token } = await w.auth.createToken(ALICE, "flow");
  for (const [flowName, steps] of Object.entries(CLIENT_FLOWS)) {
    const want = await baseline(steps);
    // The recording: the status MLflow's server gave each call.
    for (const r of want) {
      assert.equal(r.reply.status, r.recorded, `${flowName} baseline ${r.name}: ${r.reply.text}`);
    }

    for (
      const [how, authorization] of [["Basic", basic(ALICE)], ["Bearer", `Bearer ${token}`]]
    ) {
      const ctx: FlowCtx = { user: ALICE, suffix: w.unique(how) };
      const got = await replayFlow(steps, ctx, sender(w.app, authorization));
      assert.deepEqual(statuses(got), statuses(want), `${flowName} with ${how}`);
      // The run is the caller's, whatever user_id the client sent; what they made, they manage.
      const created = got.find((r) => r.name.startsWith("runs/create"));
      if (created) assert.equal(created.reply.json.run.info.user_id, ALICE);
      const alice = await w.auth.getUser(ALICE);
      if (ctx.exp) {
        assert.equal(await w.auth.findExperimentPermission(ctx.exp, alice.id), "MANAGE");
      }
      if (ctx.model) {
        assert.equal(await w.auth.findRegisteredModelPermission(ctx.model, alice.id), "MANAGE");
      }

      // Anonymous, the same requests: 401 on every one.
      const anonymous = await replayFlow(steps, ctx, sender(w.app, null), { capture: false });
      for (const r of anonymous) {
        const why = not401(r.reply);
        assert.equal(why, null, `${flowName} anonymous ${r.name}: ${why}`);
      }

      // A READ user (the server's default) replaying the writes on alice's resources: 403 each,
      // and nothing alice logged changes.
      const before = await snapshot(w, ctx);
      const reader = await replayFlow(steps, ctx, sender(w.app, basic(USER_OF.READ)), {
        capture: false,
        only: (s) => s.kind === "write",
      });
      assert.ok(reader.length >= 3, `${flowName}: ${reader.length} writes`);
      for (const r of reader) {
        const why = not403(r.reply);
        assert.equal(why, null, `${flowName} READ user ${r.name}: ${why}`);
      }
      assert.deepEqual(await snapshot(w, ctx), before, `${flowName}: a refused write changed data`);
    }
  }
});

Deno.test("auth client flows: the 401 and 403 forms exactly", async () => {
  await using w = await createAuthWorld();
  const search: Req = { method: "POST", path: "experiments/search", body: { max_results: 1000 } };
  const unauthenticated = JSON.stringify({
    error_code: "UNAUTHENTICATED",
    message: UNAUTHENTICATED_MESSAGE,
  });
  const refusals: [string, string | null][] = [
    ["no header", null],
    ["wrong password", basic(USER_OF.READ, "not the password at all")],
    ["unknown user", basic("nosuchuser")],
    ["not base64", "Basic !!!notbase64"],
    ["no colon", `Basic ${btoa("adminnocolon")}`],
    ["empty Basic", "Basic"],
    ["empty user and password", "Basic Og=="],
    ["Digest", 'Digest username="admin"'],
    ["unknown Bearer", "Bearer some-bearer-token"],
    ["token-shaped Bearer", `Bearer kvf_${"A".repeat(43)}`],
  ];
  for (const [what, authorization] of refusals) {
    const r = await w.send(search, authorization);
    assert.equal(r.status, 401, what);
    assert.equal(r.headers.get("www-authenticate"), 'Basic realm="kvflow"', what);
    assert.equal(r.type, "application/json", what);
    assert.equal(r.text, unauthenticated, what);
  }
  // The scheme is case-insensitive, as MLflow's.
  const lower = await w.send(search, `basic ${btoa(`${USER_OF.READ}:${PASSWORD}`)}`);
  assert.equal(lower.status, 200, lower.text);

  const denied = await w.as("READ", {
    method: "POST",
    path: "runs/create",
    body: { experiment_id: w.exp },
  });
  assert.equal(denied.status, 403);
  assert.equal(denied.type, "application/json");
  assert.equal(denied.headers.get("www-authenticate"), null);
  assert.equal(denied.text, '{"error_code":"PERMISSION_DENIED","message":"Permission denied"}');
  // The same forms on /ajax-api, the artifact proxy and /get-artifact; a page about an item the
  // caller may not read answers with the HTML 403 page instead of JSON.
  const ajax = { method: "GET", path: `/ajax-api/2.0/mlflow/runs/get?run_id=${w.run}` };
  const proxy = { method: "GET", path: `${PROXY}/artifacts/${w.exp}/${w.run}/artifacts/hello.txt` };
  const getArtifact = { method: "GET", path: `/get-artifact?run_id=${w.run}&path=hello.txt` };
  for (const req of [ajax, proxy, getArtifact]) {
    assert.equal(not401(await w.as("anonymous", req)), null, req.path);
    assert.equal(not403(await w.as("NO_PERMISSIONS", req)), null, req.path);
  }
  const page = { method: "GET", path: `/experiments/${w.exp}` };
  assert.equal(not401(await w.as("anonymous", page)), null, page.path);
  const refused = await w.as("NO_PERMISSIONS", page);
  assert.equal(refused.status, 403);
  assert.match(refused.type, /^text\/html/);
  assert.ok(!refused.text.includes(w.expName), "the 403 page names the hidden experiment");
});
