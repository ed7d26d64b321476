/**
 * HTTP fuzz with auth on (issue 11): the HTTP fuzz's generated requests (every operation of
 * openapi.yaml, the UI pages, unknown paths; tests/helpers/http_fuzz_generators.ts), sometimes
 * with a browser's `Accept`, sent with random credentials — none, garbage Basic, truncated
 * base64, invalid UTF-8, over-long headers, unknown, revoked and expired tokens, bad or ended
 * session cookies, and valid users of every level by Basic, Bearer, token as password and session
 * cookie (with or without the CSRF token) — to the shared auth world
 * (tests/helpers/auth_world.ts). After every request:
 *
 * 1. no 5xx (but the local repository's 501 for multipart uploads);
 * 2. no or bad credentials: 401 in its exact form (for a browser's page navigation, the login
 *    page as a 401), or 429 once the limiter refuses, on everything but the public routes and
 *    API preflights (204, empty); never anything else;
 * 3. valid credentials are never answered 401 or 429;
 * 4. a READ or NO_PERMISSIONS caller never gets a 2xx from a route that needs more than read on
 *    its resource, and after any non-GET request by them (or by anyone unauthenticated) the
 *    shared fixture reads back exactly as before;
 * 5. a NO_PERMISSIONS caller's 2xx never shows the secret the shared fixture holds (a file,
 *    and a tag on each of its experiment, run, logged model, registered model and version).
 *
 * A second property drives the failed-login limiter: N wrong passwords for a user, then the right
 * one; from the limit on, every attempt is 429 with `Retry-After`, and other users are unaffected.
 *
 * `deno task fuzz` runs both longer (tests/helpers/fuzz.ts).
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { CSRF_HEADER } from "../routes/auth/csrf.ts";
import { MAX_FAILED_LOGINS_PER_USER } from "../routes/auth/login_limiter.ts";
import {
  permissionFor,
  ROUTE_PERMISSIONS,
  type RoutePermission,
} from "../routes/auth/route_permissions.ts";
import { SESSION_COOKIE, SESSION_TTL_MS } from "../routes/auth/session_cookie.ts";
import type { Permission, Session } from "../store/auth/types.ts";
import {
  type AuthWorld,
  basic,
  type CallerKind,
  createAuthWorld,
  LEVELS,
  not401,
  PASSWORD,
  PROXY,
  type Req,
  USER_OF,
} from "./helpers/auth_world.ts";
import { checkProperty } from "./helpers/fuzz.ts";
import {
  describeRequest,
  type FuzzRequest,
  type IdPool,
  loadSpec,
  operationArbs,
  requestArb,
} from "./helpers/http_fuzz_generators.ts";

/** Cases of the main property in `deno task test`. */
const NUM_RUNS = Number(Deno.env.get("KVFLOW_AUTH_FUZZ_RUNS") ?? 150);
/** Requests per operation (each as READ and as NO_PERMISSIONS) before the random mix. */
const SWEEP_RUNS = 3;
/** Cases of the limiter property in `deno task test`. */
const LIMITER_RUNS = 12;

/** A user whose right password the fuzz also sends truncated (so they may end up limited). */
const VICTIM = "victim";
const VICTIM_BASIC = btoa(`${VICTIM}:${PASSWORD}`);

/** Who a generated credential authenticates as, if anyone. */
type Who = { kind: "none" } | { kind: "valid"; caller: Exclude<CallerKind, "anonymous"> };

/** Generated credential headers (`Authorization`, a session cookie) and whom they authenticate. */
interface Credential {
  headers: Record<string, string>;
  who: Who;
  label: string;
}

/** Header-safe characters (ByteString without CR, LF and NUL), latin-1 included. */
const headerChars = fc.array(
  fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })),
  { maxLength: 60 },
).map((codes) => String.fromCharCode(...codes));

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

function credentialArb(secrets: Secrets): fc.Arbitrary<Credential> {
  const none: Credential = { headers: {}, who: { kind: "none" }, label: "none" };
  const bad = (label: string) => (authorization: string): Credential => ({
    headers: { authorization },
    who: { kind: "none" },
    label,
  });
  const badCookie = (label: string) => (cookie: string): Credential => ({
    headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
    who: { kind: "none" },
    label,
  });
  const garbage = fc.oneof(
    fc.constant(none),
    headerChars.map((s) => bad("garbage Basic")(`Basic ${s}`)),
    headerChars.map((s) => bad("garbage header")(s)),
    fc.uint8Array({ maxLength: 40 }).map((u) => bad("invalid UTF-8 Basic")(`Basic ${b64(u)}`)),
    // Cut before the last character but the padding: what is left decodes short of the password.
    fc.nat(VICTIM_BASIC.length - 3).map((n) =>
      bad("truncated base64")(`Basic ${VICTIM_BASIC.slice(0, n)}`)
    ),
    fc.tuple(fc.string({ maxLength: 12 }), headerChars).map(([u, p]) =>
      bad("unknown user")(basic(`ghost-${u.replaceAll(":", "")}`, p))
    ),
    fc.constantFrom(1000, 8000, 8192, 8193, 16_000, 60_000).map((n) =>
      bad("huge header")(`Basic ${"QUFB".repeat(Math.ceil(n / 4)).slice(0, n)}`)
    ),
    fc.constantFrom(
      "Bearer ",
      "Bearer kvf_",
      `Bearer kvf_${"A".repeat(43)}`,
      "Bearer some-bearer-token",
      'Digest username="admin"',
      "Basic Og==",
      "Basic",
      `Bearer ${secrets.revoked}`,
      `Bearer ${secrets.expired}`,
      basic(VICTIM, secrets.revoked),
      basic(VICTIM, secrets.tokens.MANAGE),
    ).map(bad("wrong token")),
    fc.oneof(
      headerChars.map((s) => encodeURIComponent(s)),
      fc.constantFrom("", "x", "A".repeat(43), secrets.endedSession, secrets.tokens.admin),
    ).map(badCookie("bad session cookie")),
  );
  const callers = [...LEVELS, "admin"] as const;
  const valid = fc.tuple(
    fc.constantFrom(...callers),
    fc.constantFrom("basic", "bearer", "token", "session", "session+csrf"),
  ).map(([caller, how]): Credential => {
    const session = secrets.sessions[caller];
    const headers: Record<string, string> = how === "basic"
      ? { authorization: basic(USER_OF[caller]) }
      : how === "bearer"
      ? { authorization: `Bearer ${secrets.tokens[caller]}` }
      : how === "token"
      ? { authorization: basic(USER_OF[caller], secrets.tokens[caller]) }
      : { cookie: `${SESSION_COOKIE}=${session.id}` };
    // A browser's write from its own page: same origin and the session's CSRF token.
    if (how === "session+csrf") {
      Object.assign(headers, {
        "sec-fetch-site": "same-origin",
        [CSRF_HEADER]: session.csrf_token,
      });
    }
    return { headers, who: { kind: "valid", caller }, label: `${caller} via ${how}` };
  });
  return fc.oneof({ weight: 2, arbitrary: garbage }, { weight: 3, arbitrary: valid });
}

/** The tokens and sessions the generated credentials use. */
interface Secrets {
  tokens: Record<Exclude<CallerKind, "anonymous">, string>;
  sessions: Record<Exclude<CallerKind, "anonymous">, Session>;
  revoked: string;
  expired: string;
  /** A session that was logged out. */
  endedSession: string;
}

async function makeSecrets(w: AuthWorld): Promise<Secrets> {
  const tokens = {} as Secrets["tokens"];
  const sessions = {} as Secrets["sessions"];
  for (const caller of [...LEVELS, "admin"] as const) {
    const user = await w.auth.getUser(USER_OF[caller]);
    tokens[caller] = (await w.auth.createToken(user.username, "fuzz")).token;
    sessions[caller] = await w.auth.createSession(user.id, SESSION_TTL_MS);
  }
  const revoked = await w.auth.createToken(USER_OF.EDIT, "revoked");
  await w.auth.revokeToken(USER_OF.EDIT, revoked.record.id);
  const expired = await w.auth.createToken(USER_OF.EDIT, "expired", Date.now() + 20);
  const ended = await w.auth.createSession((await w.auth.getUser(USER_OF.EDIT)).id, SESSION_TTL_MS);
  await w.auth.deleteSession(ended.id);
  await new Promise((resolve) => setTimeout(resolve, 40));
  return {
    tokens,
    sessions,
    revoked: revoked.token,
    expired: expired.token,
    endedSession: ended.id,
  };
}

/** The declaration of a generated request's route, if it has one. */
const declarations = new Map<string, string>();
for (const key of Object.keys(ROUTE_PERMISSIONS)) {
  const path = key.slice(key.indexOf(" ") + 1);
  // The spec's templates: `{model_id}` where Hono has `:model_id` or `:artifact_path{.+}`.
  declarations.set(path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}"), path);
}
function declarationOf(req: FuzzRequest): RoutePermission | undefined {
  const path = declarations.get(req.route);
  return path === undefined ? undefined : permissionFor(req.method, path);
}

/** Needs more than read on a resource: never a 2xx for a READ or NO_PERMISSIONS caller. */
function isWrite(perm: RoutePermission | undefined): boolean {
  return perm !== undefined && "id" in perm && perm.resource !== "user" && perm.action !== "read";
}

const PUBLIC_ROUTES = new Set(["/health", "/static/:file"]);

/** The shared fixture as the fuzz sees it, plus how to put it back after a privileged write. */
interface Fixture {
  w: AuthWorld;
  pool: IdPool;
  /** What a NO_PERMISSIONS caller must never see. */
  secrets(): string[];
  snapshot(): Promise<string>;
  heal(): Promise<void>;
}

async function fixture(w: AuthWorld): Promise<Fixture> {
  const secret = `secret-${crypto.randomUUID()}`;
  const secretPath = `${w.exp}/${w.run}/artifacts/secret.txt`;
  const putSecret = () =>
    w.as("admin", {
      method: "PUT",
      path: `${PROXY}/artifacts/${secretPath}`,
      body: secret,
      headers: { "content-type": "text/plain" },
    });
  await putSecret();
  // The same secret as a tag on each shared item: only reading one of them can show it. (Ids are
  // no secret: a readable logged model or version may name the hidden run it came from.)
  const tag = { key: "secret", value: secret };
  const admin = async (method: string, path: string, body: unknown) =>
    assert.ok((await w.as("admin", { method, path, body })).status < 300, path);
  await admin("POST", "experiments/set-experiment-tag", { experiment_id: w.exp, ...tag });
  await admin("POST", "runs/set-tag", { run_id: w.run, ...tag });
  await admin("PATCH", `logged-models/${w.loggedModel}/tags`, { tags: [tag] });
  await admin("POST", "registered-models/set-tag", { name: w.model, ...tag });
  await admin("POST", "model-versions/set-tag", { name: w.model, version: "1", ...tag });
  const pool: IdPool = {
    experimentIds: [w.exp, "0"],
    experimentNames: [w.expName, "Default"],
    runIds: [w.run],
    metricKeys: ["m"],
    paramKeys: ["p"],
    tagKeys: ["t", "k"],
    modelNames: [w.model],
    versions: ["1"],
    aliases: ["champion"],
    loggedModelIds: [w.loggedModel],
    artifactPaths: [secretPath, `${w.exp}/${w.run}/artifacts/hello.txt`, `${w.exp}`],
    runArtifactPaths: ["secret.txt", "hello.txt", ""],
  };
  const reads = (): Req[] => [
    { method: "GET", path: `experiments/get?experiment_id=${w.exp}` },
    { method: "GET", path: `runs/get?run_id=${w.run}` },
    { method: "GET", path: `logged-models/${pool.loggedModelIds[0]}` },
    { method: "GET", path: `registered-models/get?name=${w.model}` },
    { method: "GET", path: `model-versions/get?name=${w.model}&version=${pool.versions[0]}` },
    { method: "GET", path: `${PROXY}/artifacts/${secretPath}` },
    { method: "GET", path: `${PROXY}/artifacts?path=${w.exp}/${w.run}/artifacts` },
  ];
  return {
    w,
    pool,
    secrets: () => [secret],
    async snapshot() {
      const out: string[] = [];
      for (const req of reads()) {
        const r = await w.as("admin", req);
        out.push(`${r.status} ${r.text}`);
      }
      return out.join("\n");
    },
    /** What a privileged case may have deleted, renamed or regranted, put back. */
    async heal() {
      const admin = (req: Req) => w.as("admin", req);
      await admin({ method: "POST", path: "experiments/restore", body: { experiment_id: w.exp } });
      await admin({
        method: "POST",
        path: "experiments/update",
        body: { experiment_id: w.exp, new_name: w.expName },
      });
      await admin({ method: "POST", path: "runs/restore", body: { run_id: w.run } });
      if ((await admin(reads()[5])).status !== 200) await putSecret();
      if ((await admin(reads()[3])).status === 404) {
        await admin({ method: "POST", path: "registered-models/create", body: { name: w.model } });
      }
      if ((await admin(reads()[4])).status === 404) {
        const made = await admin({
          method: "POST",
          path: "model-versions/create",
          body: { name: w.model, source: `runs:/${w.run}/model` },
        });
        if (made.status === 200) pool.versions[0] = made.json.model_version.version;
      }
      if ((await admin(reads()[2])).status === 404) {
        const made = await admin({
          method: "POST",
          path: "logged-models",
          body: { experiment_id: w.exp, name: "fuzz-lm", source_run_id: w.run },
        });
        if (made.status === 200) pool.loggedModelIds[0] = made.json.model.info.model_id;
      }
      // Grants go with a deleted model and may have been changed: each level as at the start.
      for (const level of LEVELS) {
        const user = USER_OF[level];
        await w.auth.deleteExperimentPermission(w.exp, user).catch(() => {});
        await w.auth.createExperimentPermission(w.exp, user, level);
        await w.auth.deleteRegisteredModelPermission(w.model, user).catch(() => {});
        await w.auth.createRegisteredModelPermission(w.model, user, level);
      }
    },
  };
}

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** `req` as a browser's navigation would send it (what gets the login page instead of a 401). */
function withBrowserAccept(req: FuzzRequest): FuzzRequest {
  const copy = { ...req, headers: { ...req.headers, accept: BROWSER_ACCEPT } };
  Object.defineProperty(copy, fc.toStringMethod, { value: () => describeRequest(copy) });
  return copy;
}

/**
 * The 401 an anonymous browser gets for a page (or an unknown path outside `/api/`): the login
 * form as HTML, without `WWW-Authenticate` (which would open the browser's own dialog).
 */
function isLoginPage(req: FuzzRequest, reply: { status: number; type: string; headers: Headers }) {
  return reply.status === 401 && /^text\/html/.test(reply.type) &&
    !reply.headers.has("www-authenticate") && req.headers.accept === BROWSER_ACCEPT &&
    (req.method === "GET" || req.method === "HEAD") && !req.path.startsWith("/api/");
}

/**
 * Lowers the creator's MANAGE grant on what a create answered (an experiment id or a registered
 * model) to `level`: the fuzz's READ and NO_PERMISSIONS users hold their level on everything.
 */
async function holdToLevel(w: AuthWorld, level: Permission, answer: string): Promise<void> {
  let body: { experiment_id?: unknown; registered_model?: { name?: unknown } };
  try {
    body = JSON.parse(answer);
  } catch {
    return;
  }
  const user = USER_OF[level as Exclude<CallerKind, "anonymous">];
  if (typeof body.experiment_id === "string") {
    await w.auth.updateExperimentPermission(body.experiment_id, user, level);
  } else if (typeof body.registered_model?.name === "string") {
    await w.auth.updateRegisteredModelPermission(body.registered_model.name, user, level);
  }
}

/** One case: the request with the credential, then properties 1–5. Throws a short report. */
async function checkCase(
  fx: Fixture,
  before: { snap: string },
  cred: Credential,
  req: FuzzRequest,
) {
  const fail = (what: string): never => {
    throw new Error(`${what}\n  credential: ${cred.label}\n  request: ${describeRequest(req)}`);
  };
  const headers: Record<string, string> = { ...req.headers, ...cred.headers };
  const res = await fx.w.app.request(req.path, {
    method: req.method,
    headers,
    body: req.body as BodyInit | undefined,
  });
  const text = await res.text();
  const reply = {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text,
    headers: res.headers,
    json: undefined,
  };
  const mpu = req.path.includes("/mlflow-artifacts/mpu/");
  if (res.status >= 500 && !(mpu && res.status === 501)) {
    fail(`status ${res.status}: ${text.slice(0, 300)}`);
  }
  const unprivileged = cred.who.kind === "none" ||
    cred.who.caller === "READ" || cred.who.caller === "NO_PERMISSIONS";
  if (cred.who.kind === "none") {
    // A CORS preflight never carries credentials: API preflights get 204 and nothing else
    // (routes/security.ts, as MLflow 3.5), before authentication.
    const preflight = req.method === "OPTIONS" && /^\/(ajax-)?api\//.test(req.path);
    if (preflight) {
      if (res.status !== 204 || text !== "") {
        fail(`preflight got ${res.status} ${text.slice(0, 100)}`);
      }
    } else if (!PUBLIC_ROUTES.has(req.route)) {
      if (res.status === 429) {
        if (!/^\d+$/.test(res.headers.get("retry-after") ?? "")) fail("429 without Retry-After");
      } else {
        const why = req.method === "HEAD"
          ? (res.status === 401 ? null : `status ${res.status}`)
          : isLoginPage(req, reply)
          ? null
          : not401(reply, !("cookie" in cred.headers && !("authorization" in cred.headers)));
        if (why !== null) fail(`bad credentials got ${why}`);
      }
    }
  } else {
    if (res.status === 401 || res.status === 429) {
      fail(`valid credentials got ${res.status}: ${text.slice(0, 200)}`);
    }
    const { caller } = cred.who;
    const ok = res.status >= 200 && res.status < 300;
    const lowly = caller === "READ" || caller === "NO_PERMISSIONS";
    if (ok && lowly && isWrite(declarationOf(req))) {
      fail(`a ${caller} caller's write got ${res.status}: ${text.slice(0, 200)}`);
    }
    // What they create they manage: held to their level instead, so the check above stays true.
    if (ok && lowly && declarationOf(req)?.action === "create") {
      await holdToLevel(fx.w, caller, text);
    }
    if (ok && caller === "NO_PERMISSIONS") {
      // A page may echo what was sent (a filter naming a run id): only what the request did not
      // carry counts.
      const sent = `${req.path} ${typeof req.body === "string" ? req.body : ""}`;
      const leaked = fx.secrets().find((s) => text.includes(s) && !sent.includes(s));
      if (leaked) fail(`a NO_PERMISSIONS caller was shown ${leaked}`);
    }
  }
  if (req.method === "GET" || req.method === "HEAD") return;
  if (unprivileged) {
    const after = await fx.snapshot();
    if (after !== before.snap) {
      fail(`the shared fixture changed:\n--- before\n${before.snap}\n--- after\n${after}`);
    }
  } else {
    // An allowed write may have deleted or renamed what later cases aim at.
    if (res.status < 300) await fx.heal();
    before.snap = await fx.snapshot();
  }
}

/**
 * {@linkcode checkCase}, and after a failure the fixture healed and its snapshot retaken: cases
 * share the app, so without this every case fast-check tries while shrinking would fail on the
 * first one's damage and the report would name the wrong request.
 */
async function runCase(fx: Fixture, before: { snap: string }, cred: Credential, req: FuzzRequest) {
  try {
    await checkCase(fx, before, cred, req);
  } catch (err) {
    await fx.heal();
    before.snap = await fx.snapshot();
    throw err;
  }
}

const spec = await loadSpec();

Deno.test("auth http fuzz: random routes × random credentials — no 5xx, 401/429 without credentials, no write by READ, nothing hidden shown", async () => {
  await using w = await createAuthWorld();
  const secrets = await makeSecrets(w);
  await w.auth.createUser(VICTIM, PASSWORD, false);
  const fx = await fixture(w);
  const before = { snap: await fx.snapshot() };
  // The UI builds its assets on first use: not part of any case's time.
  await w.as("admin", { method: "GET", path: "/" });
  // Every operation, every run: a few requests each as the READ and NO_PERMISSIONS users before
  // the random mix, so each route's refusals are tried (not when replaying a shrunk case).
  const seed = Number(Deno.env.get("KVFLOW_FUZZ_SEED") ?? Date.now() % 2 ** 31);
  const sweep = Deno.env.get("KVFLOW_FUZZ_PATH") ? [] : operationArbs(spec, fx.pool);
  const lowly = (["READ", "NO_PERMISSIONS"] as const).map((caller): Credential => ({
    headers: { authorization: basic(USER_OF[caller]) },
    who: { kind: "valid", caller },
    label: `${caller} via basic (sweep)`,
  }));
  for (const [i, arb] of sweep.entries()) {
    for (const req of fc.sample(arb, { numRuns: SWEEP_RUNS, seed: seed + i })) {
      for (const cred of lowly) {
        try {
          await runCase(fx, before, cred, req);
        } catch (err) {
          throw new Error(`${(err as Error).message}\n(operation sweep, seed ${seed})`);
        }
      }
    }
  }
  await checkProperty(
    "auth http fuzz",
    fc.asyncProperty(
      credentialArb(secrets),
      fc.boolean(),
      requestArb(spec, fx.pool),
      (cred, browser, req) => runCase(fx, before, cred, browser ? withBrowserAccept(req) : req),
    ),
    { numRuns: NUM_RUNS, share: 0.8 },
  );
});

/** Routes a locked-out guesser might try: an API read, an API write, a page, an unknown path. */
const LIMITER_ROUTES: readonly Req[] = [
  { method: "POST", path: "experiments/search", body: {} },
  { method: "POST", path: "runs/log-metric", body: { run_id: "x", key: "m", value: 1 } },
  { method: "GET", path: "/" },
  { method: "GET", path: "/api/2.0/mlflow/nope" },
];

Deno.test("auth http fuzz: after the failed-login limit every attempt is 429 with Retry-After, right password included", async () => {
  await using w = await createAuthWorld();
  let n = 0;
  await checkProperty(
    "auth limiter fuzz",
    fc.asyncProperty(
      fc.array(
        fc.tuple(fc.nat(LIMITER_ROUTES.length - 1), fc.string({ minLength: 1, maxLength: 20 })),
        { minLength: MAX_FAILED_LOGINS_PER_USER - 2, maxLength: MAX_FAILED_LOGINS_PER_USER + 4 },
      ),
      fc.nat(LIMITER_ROUTES.length - 1),
      async (attempts, last) => {
        const user = `limited-${++n}`;
        await w.auth.createUser(user, PASSWORD, false);
        let failures = 0;
        for (const [route, password] of attempts) {
          const r = await w.send(LIMITER_ROUTES[route], basic(user, `${PASSWORD}${password}`));
          if (failures >= MAX_FAILED_LOGINS_PER_USER) {
            assert.equal(r.status, 429, `attempt ${failures + 1}: ${r.text}`);
          } else assert.equal(not401(r), null, `attempt ${failures + 1}`);
          failures++;
          assertLimitedForm(r);
        }
        const right = await w.send(LIMITER_ROUTES[last], basic(user));
        if (failures >= MAX_FAILED_LOGINS_PER_USER) {
          assert.equal(right.status, 429, `the right password after ${failures} failures`);
          assertLimitedForm(right);
        } else {
          assert.ok(![401, 403, 429].includes(right.status), `${right.status} ${right.text}`);
        }
        // Nobody else is locked out by it.
        const other = await w.as("READ", LIMITER_ROUTES[0]);
        assert.equal(other.status, 200, other.text);
      },
    ),
    { numRuns: LIMITER_RUNS, share: 0.2 },
  );
});

function assertLimitedForm(r: { status: number; headers: Headers; json: unknown }): void {
  if (r.status !== 429) return;
  const after = Number(r.headers.get("retry-after"));
  assert.ok(Number.isInteger(after) && after >= 1, `Retry-After ${r.headers.get("retry-after")}`);
  assert.equal((r.json as { error_code?: string }).error_code, "REQUEST_LIMIT_EXCEEDED");
}

Deno.test("auth http fuzz: a client address over its limit gets 429 for any Basic login, while a valid token still works", async () => {
  await using w = await createAuthWorld();
  const { token } = await w.auth.createToken(USER_OF.READ, "laptop");
  const from = (authorization: string) =>
    w.app.request("/api/2.0/mlflow/experiments/search?max_results=1", {
      headers: { authorization },
    }, { remoteAddr: { hostname: "203.0.113.9" } });
  let sawLimit = false;
  for (let i = 0; i < 60; i++) {
    const r = await from(`Bearer kvf_${crypto.randomUUID().replaceAll("-", "")}x`);
    await r.body?.cancel();
    if (r.status === 429) sawLimit = true;
    else assert.equal(r.status, 401, `attempt ${i + 1}`);
  }
  assert.ok(sawLimit, "no 429 after 60 wrong tokens from one address");
  const basicLogin = await from(basic(USER_OF.EDIT));
  assert.equal(basicLogin.status, 429);
  assert.ok(Number(basicLogin.headers.get("retry-after")) >= 1);
  await basicLogin.body?.cancel();
  const bearer = await from(`Bearer ${token}`);
  assert.equal(bearer.status, 200);
  await bearer.body?.cancel();
  // Another address is not affected.
  const elsewhere = await w.app.request("/api/2.0/mlflow/experiments/search?max_results=1", {
    headers: { authorization: basic(USER_OF.EDIT) },
  }, { remoteAddr: { hostname: "198.51.100.7" } });
  assert.equal(elsewhere.status, 200);
  await elsewhere.body?.cancel();
});
