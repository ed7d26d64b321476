/**
 * HTTP fuzz (issue 10): generated requests for every operation of openapi.yaml, the UI pages and
 * unknown paths (tests/helpers/http_fuzz_generators.ts), sent to the in-process app on both
 * backends, each app seeded with real entities and serving a local artifact repository in a temp
 * dir with canaries beside it. After every request:
 *
 * 1. no 5xx, except the contract's non-error 5xx: 501 `NOT_IMPLEMENTED` from the multipart
 *    upload routes (the local repository has none; the MLflow client then falls back to a PUT).
 *    The 503 of the disabled artifact modes cannot occur: those modes are not configured.
 * 2. every non-2xx answer of an API route (`/api/…`, `/ajax-api/…`, `/get-artifact`) is MLflow's
 *    `{error_code, message}` as application/json. HEAD and OPTIONS replies carry no body. The
 *    security middleware's plain-text 403s (as MLflow's) cannot occur: requests carry no Origin
 *    and a local Host.
 * 3. the request itself finishes within {@linkcode REQUEST_LIMIT_MS} (raced against a timer, so an
 *    awaited hang fails the case rather than the whole run; a synchronous stall blocks the timer
 *    too and is reported by its duration once it returns), and `/health` then answers 200 within
 *    {@linkcode HEALTH_LIMIT_MS}.
 * 4. nothing outside the artifact root changes (the canaries' tree and bytes).
 * 5. (issue 10 #10) nothing a request sends starts a line of its own in the server log.
 *
 * `deno task fuzz --seconds N` runs the same property longer; a failure prints its replay seed.
 * For triage, `KVFLOW_HTTP_FUZZ_COLLECT=1` keeps going past failures and prints each distinct one
 * with the shortest request that showed it, plus the statuses seen per route;
 * `KVFLOW_HTTP_FUZZ_RUNS` and `KVFLOW_HTTP_FUZZ_SWEEP` set the case counts.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { createApp } from "../routes/mod.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { checkProperty, fuzzSeconds } from "./helpers/fuzz.ts";
import {
  describeRequest,
  type FuzzRequest,
  type IdPool,
  loadSpec,
  operationArbs,
  requestArb,
} from "./helpers/http_fuzz_generators.ts";

/** A request slower than this is a stall (generous: the machine is loaded, bodies reach MBs). */
const REQUEST_LIMIT_MS = 5_000;
/** The issue's bound on `/health` after any request. */
const HEALTH_LIMIT_MS = 1_000;
/** Cases per backend in `deno task test`. */
const NUM_RUNS = Number(Deno.env.get("KVFLOW_HTTP_FUZZ_RUNS") ?? 300);
/** Requests per operation sent before the random mix, so every run covers every operation. */
const SWEEP_RUNS = Number(Deno.env.get("KVFLOW_HTTP_FUZZ_SWEEP") ?? 2);

const API = "/api/2.0/mlflow";
const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const CANARY_TEXT = "canary: must never be read, changed or deleted";

type App = ReturnType<typeof createApp>;

interface Fixture extends AsyncDisposable {
  app: App;
  pool: IdPool;
  /** Restores the seeded entities a case deleted or renamed. */
  heal(): Promise<void>;
  /** The canaries' tree, outside the artifact root, as `path → bytes`. */
  snapshot(): Promise<Map<string, string>>;
}

/** A request whose answer only matters to the caller: status and parsed JSON, if any. */
async function send(app: App, method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  // deno-lint-ignore no-explicit-any
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** A seeding request, which must succeed. */
// deno-lint-ignore no-explicit-any
async function call(app: App, method: string, path: string, body?: unknown): Promise<any> {
  const res = await send(app, method, path, body);
  assert.ok(res.status < 300, `seeding ${method} ${path}: ${res.status} ${res.text}`);
  return res.json;
}

/** Every file and directory under `dir` except the artifact root, with file contents. */
async function tree(dir: string, skip: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (p === skip) continue;
      if (e.isDirectory) {
        out.set(p, "<dir>");
        await walk(p);
      } else out.set(p, e.isFile ? await Deno.readTextFile(p) : "<link>");
    }
  };
  await walk(dir);
  return out;
}

/** Long names of one letter: what a backtracking LIKE matcher chokes on ('%a%a%a…%b'). */
const LONG = "a".repeat(100);

/**
 * A seeded app over `store`: experiments, runs with metrics, params, tags, datasets and
 * artifacts, registered models with a version and an alias, a logged model; canaries beside the
 * artifact root.
 */
async function setup(store: TrackingStore, close: () => void): Promise<Fixture> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kvflow-http-fuzz-" }));
  const root = `${dir}/root`;
  await Deno.mkdir(root);
  await Deno.writeTextFile(`${dir}/canary.txt`, CANARY_TEXT);
  await Deno.mkdir(`${dir}/etc`);
  await Deno.writeTextFile(`${dir}/etc/passwd`, CANARY_TEXT);
  // A sibling whose name starts with the root's: a prefix check without a separator lets it in.
  await Deno.mkdir(`${dir}/root-sibling`);
  await Deno.writeTextFile(`${dir}/root-sibling/file.txt`, CANARY_TEXT);
  const app = createApp({ store, artifacts: createLocalArtifactRepository({ rootDir: root }) });

  const exp = (await call(app, "POST", `${API}/experiments/create`, {
    name: "fuzz-exp",
    tags: [{ key: "team", value: "fuzz" }, { key: "note", value: LONG }],
  })).experiment_id as string;
  const longExp = (await call(app, "POST", `${API}/experiments/create`, { name: LONG }))
    .experiment_id as string;
  const runIds: string[] = [];
  const files: string[] = [];
  for (const name of ["parent", "child"]) {
    const run = await call(app, "POST", `${API}/runs/create`, {
      experiment_id: exp,
      run_name: `${name}-${LONG}`,
      start_time: 1_700_000_000_000,
      tags: runIds.length ? [{ key: "mlflow.parentRunId", value: runIds[0] }] : [],
    });
    const runId = run.run.info.run_id as string;
    runIds.push(runId);
    await call(app, "POST", `${API}/runs/log-batch`, {
      run_id: runId,
      metrics: Array.from({ length: 30 }, (_, i) => ({
        key: i % 2 ? "loss" : "acc",
        value: i / 7,
        timestamp: 1_700_000_000_000 + i,
        step: i,
      })),
      params: [{ key: "lr", value: "0.1" }, { key: "model", value: "cnn" }],
      tags: [{ key: "stage", value: "train" }, { key: "note", value: LONG }],
    });
    await call(app, "POST", `${API}/runs/log-inputs`, {
      run_id: runId,
      datasets: [{
        dataset: { name: "ds", digest: "d1", source_type: "local", source: "{}" },
        tags: [{ key: "mlflow.data.context", value: "train" }],
      }],
    });
    files.push(`${exp}/${runId}/artifacts/a.txt`, `${exp}/${runId}/artifacts/model/MLmodel`);
  }
  const pool: IdPool = {
    experimentIds: [exp, longExp, "0"],
    experimentNames: ["fuzz-exp", "Default", LONG],
    runIds,
    metricKeys: ["acc", "loss"],
    paramKeys: ["lr", "model"],
    tagKeys: ["stage", "note", "mlflow.parentRunId", "team", "owner"],
    modelNames: ["fuzz-model", LONG],
    versions: ["1"],
    aliases: ["champion"],
    loggedModelIds: [""],
    artifactPaths: [...files, `${exp}/${runIds[0]}/artifacts`, `${exp}`],
    runArtifactPaths: ["a.txt", "model", "model/MLmodel", ""],
  };

  /**
   * Puts back what a case deleted or renamed (same ids where the API allows, fresh ones in the
   * pool otherwise), so that later cases still reach past "not found".
   */
  async function heal(): Promise<void> {
    for (const id of [exp, longExp]) {
      await send(app, "POST", `${API}/experiments/restore`, { experiment_id: id });
    }
    const got = await send(app, "GET", `${API}/experiments/get?experiment_id=${exp}`);
    if (got.json?.experiment?.name !== "fuzz-exp") {
      await send(app, "POST", `${API}/experiments/update`, {
        experiment_id: exp,
        new_name: "fuzz-exp",
      });
    }
    for (const id of runIds) await send(app, "POST", `${API}/runs/restore`, { run_id: id });
    for (const file of files) {
      const there = await Deno.stat(`${root}/${file}`).then(() => true, () => false);
      if (!there) await send(app, "PUT", `${PROXY}/${file}`, "flavors: {}");
    }
    for (const name of pool.modelNames) {
      const model = await send(app, "GET", `${API}/registered-models/get?name=${name}`);
      if (model.status === 404) {
        await send(app, "POST", `${API}/registered-models/create`, {
          name,
          tags: [{ key: "owner", value: "fuzz" }],
        });
      }
    }
    const version = await send(
      app,
      "GET",
      `${API}/model-versions/get?name=fuzz-model&version=${pool.versions[0]}`,
    );
    if (version.status === 404) {
      const created = await send(app, "POST", `${API}/model-versions/create`, {
        name: "fuzz-model",
        source: `runs:/${runIds[0]}/model`,
        run_id: runIds[0],
      });
      const v = created.json?.model_version?.version;
      if (typeof v === "string") {
        pool.versions[0] = v;
        await send(app, "POST", `${API}/registered-models/alias`, {
          name: "fuzz-model",
          alias: "champion",
          version: v,
        });
      }
    }
    const lm = pool.loggedModelIds[0];
    if (lm === "" || (await send(app, "GET", `${API}/logged-models/${lm}`)).status !== 200) {
      const created = await send(app, "POST", `${API}/logged-models`, {
        experiment_id: exp,
        name: "fuzz-lm",
        source_run_id: runIds[0],
        params: [{ key: "p", value: "1" }],
        tags: [{ key: "t", value: "1" }],
      });
      const id = created.json?.model?.info?.model_id;
      if (typeof id === "string") pool.loggedModelIds[0] = id;
    }
  }

  await heal();
  assert.notEqual(pool.loggedModelIds[0], "", "seeding the logged model failed");
  assert.equal(
    (await send(app, "GET", `${API}/model-versions/get?name=fuzz-model&version=1`)).status,
    200,
  );
  // The UI builds its assets on first use: not part of any case's time.
  await call(app, "GET", "/");
  return {
    app,
    pool,
    heal,
    snapshot: () => tree(dir, root),
    async [Symbol.asyncDispose]() {
      close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function isApiPath(path: string): boolean {
  return path.startsWith("/api/") || path.startsWith("/ajax-api/") ||
    path.startsWith("/get-artifact");
}

/** Resolves with `p`, or with "timeout" after `ms`; the timer never outlives the race. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The slowest request so far, printed in collect mode to calibrate {@linkcode REQUEST_LIMIT_MS}. */
let slowest = { ms: 0, req: "" };
/** Statuses by route, printed in collect mode: do valid requests get past validation? */
const statuses = new Map<string, Record<number, number>>();

/** One case: the request, then the four properties. Throws a one-paragraph report. */
async function checkCase(fx: Fixture, before: Map<string, string>, req: FuzzRequest) {
  const logged: string[] = [];
  const consoleError = console.error;
  // Unhandled errors are logged by routes/errors.ts: keep their first line for the report.
  let forged = false;
  console.error = (...args: unknown[]) => {
    // The error first: the line before it holds the (maybe huge) request path.
    const errors = args.filter((a) => a instanceof Error).map((a) => `${a.name}: ${a.message}`);
    const rest = args.filter((a) => !(a instanceof Error)).map(String);
    const text = [...errors, ...rest].join(" ");
    // A request's CR/LF must not start a log line of its own (issue 10 #10).
    if (/[\r\n\u2028\u2029]Injected/.test(text)) forged = true;
    const [first, second] = text.split("\n");
    const line = second !== undefined && first.startsWith("kvflow: ")
      ? `${second} ${first}`
      : first;
    logged.push(line.slice(0, 300));
  };
  const fail = (what: string) => {
    throw new Error(
      `${what}\n  request: ${describeRequest(req)}${
        logged.length ? `\n  logged: ${logged.join(" | ")}` : ""
      }`,
    );
  };
  try {
    const started = performance.now();
    const res = await within(
      (async () => {
        const r = await fx.app.request(req.path, {
          method: req.method,
          headers: req.headers,
          body: req.body as BodyInit | undefined,
        });
        return {
          status: r.status,
          type: r.headers.get("content-type") ?? "",
          text: await r.text(),
        };
      })(),
      REQUEST_LIMIT_MS,
    );
    const took = performance.now() - started;
    if (took > slowest.ms) slowest = { ms: took, req: describeRequest(req).slice(0, 200) };
    if (res !== "timeout") {
      const key = `${req.method} ${req.route}`;
      const counts = statuses.get(key) ?? {};
      counts[res.status] = (counts[res.status] ?? 0) + 1;
      statuses.set(key, counts);
    }
    if (res === "timeout") fail(`no answer within ${REQUEST_LIMIT_MS} ms`);
    else {
      if (took > REQUEST_LIMIT_MS) {
        fail(`answered after ${took.toFixed(0)} ms (event loop blocked)`);
      }
      const mpu = req.path.includes("/mlflow-artifacts/mpu/");
      if (res.status >= 500 && !(mpu && res.status === 501)) {
        fail(`status ${res.status}: ${res.text.slice(0, 300)}`);
      }
      const bodyless = req.method === "HEAD" || req.method === "OPTIONS";
      if (isApiPath(req.path) && (res.status < 200 || res.status > 299) && !bodyless) {
        let body: unknown;
        try {
          body = JSON.parse(res.text);
        } catch {
          body = undefined;
        }
        const ok = /^application\/json/.test(res.type) && typeof body === "object" &&
          body !== null && Object.keys(body).sort().join() === "error_code,message" &&
          typeof (body as { error_code: unknown }).error_code === "string" &&
          typeof (body as { message: unknown }).message === "string";
        if (!ok) {
          fail(
            `status ${res.status} not MLflow's error shape: ${res.type} ${res.text.slice(0, 300)}`,
          );
        }
      }
    }
    const healthStarted = performance.now();
    const health = await within(Promise.resolve(fx.app.request("/health")), HEALTH_LIMIT_MS);
    const healthTook = performance.now() - healthStarted;
    if (health === "timeout" || health.status !== 200 || healthTook > HEALTH_LIMIT_MS) {
      fail(`/health did not answer 200 within ${HEALTH_LIMIT_MS} ms (${healthTook.toFixed(0)} ms)`);
    }
    if (health !== "timeout") await health.body?.cancel();
    if (forged) fail("a request forged a line of the server log");
    // Put back what a successful write may have deleted or renamed, for the next cases.
    if (res !== "timeout" && req.method !== "GET" && res.status < 300) await fx.heal();
    const after = await fx.snapshot();
    assert.deepEqual(
      after,
      before,
      `outside the artifact root changed after ${describeRequest(req)}`,
    );
  } finally {
    console.error = consoleError;
  }
}

const BACKENDS: [string, () => Promise<[TrackingStore, () => void]>][] = [
  ["memory", () => Promise.resolve([createMemoryStore(), () => {}])],
  ["kv", async () => {
    const kv = await Deno.openKv(":memory:");
    return [await createKvStore(kv), () => kv.close()];
  }],
];

/**
 * `KVFLOW_HTTP_FUZZ_COLLECT=1`: never stop at a failure; print each distinct one (by route and
 * the failure's first line) with the shortest request that showed it. For triage, not for CI.
 */
const COLLECT = Deno.env.get("KVFLOW_HTTP_FUZZ_COLLECT") === "1";

/** A failure's kind: the logged error, else the route and the failure, numbers blurred. */
function signature(req: FuzzRequest, message: string): string {
  const lines = message.split("\n");
  const logged = lines.find((l) => l.startsWith("  logged:"));
  // The error's first words: its tail often holds the (varying) request data.
  const kind = logged
    ? logged.split(" Unhandled error on ")[0].split(" kvflow: ")[0].slice(0, 70)
    : `${req.method} ${req.route} ${lines[0]}`;
  return kind.replace(/\b[0-9a-f]{32}\b/g, "<id>").replace(/\d+/g, "N").slice(0, 300);
}

const spec = await loadSpec();

// A slow failure (a regex stalling the loop for seconds) would make shrinking run for many
// minutes: in `deno task test`, stop shrinking (keeping the failure) after this long. Fuzz mode
// sets its own limit from its time share.
if (fuzzSeconds() === undefined && !COLLECT) {
  fc.configureGlobal({ interruptAfterTimeLimit: 120_000 });
}

for (const [name, open] of BACKENDS) {
  const property = `http fuzz (${name})`;
  Deno.test(`${property}: no 5xx, MLflow error shape, /health answers, artifact root holds`, async () => {
    await using fx = await setup(...(await open()));
    const before = await fx.snapshot();
    const found = new Map<string, { message: string; routes: Set<string> }>();
    /** One case; in collect mode a failure is recorded instead of thrown. */
    const run = async (req: FuzzRequest) => {
      try {
        await checkCase(fx, before, req);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!COLLECT) throw err;
        const key = signature(req, message);
        const seen = found.get(key);
        // Printed at once too: a case that stalls the process would lose the summary below.
        if (seen === undefined) console.log(`new failure: ${key}\n  ${message.slice(0, 1500)}`);
        const routes = new Set([...(seen?.routes ?? []), `${req.method} ${req.route}`]);
        const shortest = seen && seen.message.length <= message.length ? seen.message : message;
        found.set(key, { message: shortest, routes });
      }
    };
    // Every operation, every run: a few requests each before the random mix (not when replaying
    // a shrunk case, which the sweep would only delay).
    const seed = Number(Deno.env.get("KVFLOW_FUZZ_SEED") ?? Date.now() % 2 ** 31);
    const sweep = Deno.env.get("KVFLOW_FUZZ_PATH") ? [] : operationArbs(spec, fx.pool);
    for (const [i, arb] of sweep.entries()) {
      for (const req of fc.sample(arb, { numRuns: SWEEP_RUNS, seed: seed + i })) {
        try {
          await run(req);
        } catch (err) {
          throw new Error(`${(err as Error).message}\n(operation sweep, seed ${seed})`);
        }
      }
    }
    await checkProperty(
      property,
      fc.asyncProperty(requestArb(spec, fx.pool), run),
      { numRuns: NUM_RUNS, share: 0.5 },
    );
    if (COLLECT) {
      console.log(`${property}: slowest request ${slowest.ms.toFixed(0)} ms: ${slowest.req}`);
      for (const [route, counts] of [...statuses].sort()) {
        console.log(`  ${route}: ${JSON.stringify(counts)}`);
      }
      slowest = { ms: 0, req: "" };
      statuses.clear();
    }
    if (found.size) {
      console.log(`${property}: ${found.size} distinct failures`);
      for (const [key, { message, routes }] of found) {
        console.log(`- ${key}\n  routes: ${[...routes].join(", ")}\n  ${message}\n`);
      }
    }
  });
}
