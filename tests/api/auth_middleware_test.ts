/**
 * The auth middleware as `createApp({ auth })` mounts it (issue 11 §4, §5), on both auth-store
 * backends: who gets 401, who gets 403, what each level may do, the creator's MANAGE grant,
 * searches leaving out what the caller cannot read, the artifact proxy's path check and Bearer
 * tokens. One test checks that without `auth` nothing changes.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { WWW_AUTHENTICATE } from "../../routes/auth/authenticate.ts";
import { createApp } from "../../routes/mod.ts";
import { createKvAuthStore } from "../../store/auth/kv/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import type { AuthStore, Permission } from "../../store/auth/types.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { API, expectJson, newApp, type TestApp } from "./_helpers.ts";

const ITER = 1000;
const PW = "a long enough password";
const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const DENIED = { error_code: "PERMISSION_DENIED", message: "Permission denied" };

type Backend = { name: string; open(): Promise<[AuthStore, () => void]> };
const BACKENDS: Backend[] = [
  {
    name: "memory",
    open: () => Promise.resolve([createMemoryAuthStore({ pbkdf2Iterations: ITER }), () => {}]),
  },
  {
    name: "kv",
    async open() {
      const kv = await Deno.openKv(":memory:");
      return [createKvAuthStore(kv, { pbkdf2Iterations: ITER }), () => kv.close()];
    },
  },
];

const basic = (user: string, password = PW) => `Basic ${btoa(`${user}:${password}`)}`;

interface World {
  app: TestApp;
  auth: AuthStore;
  /** An experiment the admin made, with grants: reader READ, editor EDIT, manager MANAGE, nobody NO_PERMISSIONS. */
  exp: string;
  /** A run in `exp`. */
  run: string;
  /** A run in the Default experiment (no grants). */
  defaultRun: string;
  call(
    user: string | null,
    method: string,
    path: string,
    body?: unknown,
  ): Response | Promise<Response>;
  close(): Promise<void>;
}

async function world(backend: Backend, defaultPermission: Permission): Promise<World> {
  const [auth, closeAuth] = await backend.open();
  const dir = await Deno.makeTempDir({ prefix: "kvflow-auth-mw-" });
  const app = createApp({
    store: createMemoryStore(),
    artifacts: createLocalArtifactRepository({ rootDir: dir }),
    auth: { store: auth, defaultPermission },
  });
  await auth.createUser("admin", PW, true);
  for (const u of ["reader", "editor", "manager", "nobody", "alice"]) {
    await auth.createUser(u, PW, false);
  }
  const call = (user: string | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (user !== null) headers.authorization = basic(user);
    if (body !== undefined) headers["content-type"] = "application/json";
    return app.request(path.startsWith("/") ? path : `${API}/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const exp =
    (await expectJson(call("admin", "POST", "experiments/create", { name: "shared" }), 200))
      .experiment_id as string;
  await auth.createExperimentPermission(exp, "reader", "READ");
  await auth.createExperimentPermission(exp, "editor", "EDIT");
  await auth.createExperimentPermission(exp, "manager", "MANAGE");
  await auth.createExperimentPermission(exp, "nobody", "NO_PERMISSIONS");
  const newRun = async (experiment_id: string) =>
    (await expectJson(call("admin", "POST", "runs/create", { experiment_id }), 200)).run.info
      .run_id as string;
  const run = await newRun(exp);
  const defaultRun = await newRun("0");
  return {
    app,
    auth,
    exp,
    run,
    defaultRun,
    call,
    async close() {
      closeAuth();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function expectDenied(
  res: Response | Promise<Response>,
  message = DENIED.message,
): Promise<void> {
  assert.deepEqual(await expectJson(res, 403), { error_code: "PERMISSION_DENIED", message });
}

const metric = (run_id: string) => ({ run_id, key: "m", value: 1, timestamp: 1, step: 0 });

for (const backend of BACKENDS) {
  Deno.test(`auth middleware (${backend.name}): anonymous gets 401 everywhere but /health`, async () => {
    const w = await world(backend, "READ");
    try {
      for (
        const [method, path] of [
          ["GET", `experiments/get?experiment_id=${w.exp}`],
          ["POST", "experiments/search"],
          ["GET", `/ajax-api/2.0/mlflow/runs/get?run_id=${w.run}`],
          ["GET", "/"],
          ["GET", `/experiments/${w.exp}`],
          ["GET", "/version"],
          ["GET", "/openapi.json"],
          ["GET", `/get-artifact?run_uuid=${w.run}&path=x`],
          ["PUT", `${PROXY}/${w.exp}/x.txt`],
          ["GET", "/api/2.0/mlflow/no-such-endpoint"],
        ]
      ) {
        const res = await w.call(null, method, path, method === "POST" ? {} : undefined);
        const text = await res.text();
        assert.equal(res.status, 401, `${method} ${path}: ${res.status} ${text}`);
        assert.equal(res.headers.get("www-authenticate"), WWW_AUTHENTICATE);
        assert.equal(JSON.parse(text).error_code, "UNAUTHENTICATED");
      }
      // A wrong password is no better than none.
      const res = await w.app.request(`${API}/experiments/get?experiment_id=${w.exp}`, {
        headers: { authorization: basic("reader", "not the password!") },
      });
      assert.equal(res.status, 401);
      await res.body?.cancel();
      const health = await w.app.request("/health");
      assert.equal(health.status, 200);
      await health.body?.cancel();
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): READ reads but cannot write; EDIT writes; MANAGE deletes`, async () => {
    const w = await world(backend, "READ");
    try {
      await expectJson(w.call("reader", "GET", `experiments/get?experiment_id=${w.exp}`), 200);
      await expectJson(w.call("reader", "GET", `runs/get?run_id=${w.run}`), 200);
      await expectJson(
        w.call("reader", "GET", `experiments/get-by-name?experiment_name=shared`),
        200,
      );
      const found = await expectJson(
        w.call("reader", "POST", "runs/search", { experiment_ids: [w.exp] }),
        200,
      );
      assert.deepEqual(found.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [w.run]);
      await expectDenied(w.call("reader", "POST", "runs/log-metric", metric(w.run)));
      // The /ajax-api twin gets the same check.
      await expectDenied(
        w.call("reader", "POST", "/ajax-api/2.0/mlflow/runs/log-metric", metric(w.run)),
      );
      // Default READ: nobody may log into the Default experiment either.
      await expectDenied(w.call("reader", "POST", "runs/create", { experiment_id: "0" }));
      await expectDenied(w.call("reader", "POST", "runs/create", {}));

      await expectJson(w.call("editor", "POST", "runs/log-metric", metric(w.run)), 200);
      await expectDenied(w.call("editor", "POST", "runs/delete", { run_id: w.run }));

      await expectJson(w.call("manager", "POST", "runs/delete", { run_id: w.run }), 200);
      await expectJson(
        w.call("manager", "POST", "experiments/delete", { experiment_id: w.exp }),
        200,
      );

      // An explicit NO_PERMISSIONS wins over the READ default.
      await expectDenied(w.call("nobody", "GET", `experiments/get?experiment_id=${w.exp}`));
      await expectDenied(w.call("nobody", "GET", "experiments/get-by-name?experiment_name=shared"));
      // Admins bypass everything.
      await expectJson(
        w.call("admin", "POST", "experiments/restore", { experiment_id: w.exp }),
        200,
      );
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): the creator of an experiment or registered model gets MANAGE`, async () => {
    const w = await world(backend, "NO_PERMISSIONS");
    try {
      const alice = await w.auth.getUser("alice");
      const id =
        (await expectJson(w.call("alice", "POST", "experiments/create", { name: "mine" }), 200))
          .experiment_id as string;
      assert.equal(await w.auth.findExperimentPermission(id, alice.id), "MANAGE");
      const run =
        (await expectJson(w.call("alice", "POST", "runs/create", { experiment_id: id }), 200))
          .run.info.run_id as string;
      await expectJson(w.call("alice", "POST", "runs/log-metric", metric(run)), 200);
      await expectJson(w.call("alice", "POST", "experiments/delete", { experiment_id: id }), 200);
      // Another non-admin with the NO_PERMISSIONS default sees nothing of it.
      await expectDenied(w.call("reader", "GET", `runs/get?run_id=${run}`));

      await expectJson(w.call("alice", "POST", "registered-models/create", { name: "m1" }), 200);
      assert.equal(await w.auth.findRegisteredModelPermission("m1", alice.id), "MANAGE");
      await expectJson(w.call("alice", "GET", "registered-models/get?name=m1"), 200);
      await expectDenied(w.call("reader", "GET", "registered-models/get?name=m1"));
      await expectJson(
        w.call("alice", "DELETE", "registered-models/delete", { name: "m1" }),
        200,
      );
      // A failed create grants nothing.
      const dup = await w.call("reader", "POST", "experiments/create", { name: "mine" });
      assert.equal(dup.status, 400);
      await dup.body?.cancel();
      const reader = await w.auth.getUser("reader");
      assert.equal(await w.auth.findExperimentPermission(id, reader.id), null);
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): grants follow a renamed registered model and go with a deleted one`, async () => {
    const w = await world(backend, "NO_PERMISSIONS");
    try {
      const [alice, reader] = [await w.auth.getUser("alice"), await w.auth.getUser("reader")];
      await expectJson(w.call("alice", "POST", "registered-models/create", { name: "m1" }), 200);
      await w.auth.createRegisteredModelPermission("m1", "reader", "READ");
      await expectJson(
        w.call("alice", "POST", "registered-models/rename", { name: "m1", new_name: "m2" }),
        200,
      );
      assert.equal(await w.auth.findRegisteredModelPermission("m2", alice.id), "MANAGE");
      assert.equal(await w.auth.findRegisteredModelPermission("m2", reader.id), "READ");
      assert.equal(await w.auth.findRegisteredModelPermission("m1", reader.id), null);
      await expectJson(w.call("reader", "GET", "registered-models/get?name=m2"), 200);
      // An admin's rename moves them too.
      await expectJson(
        w.call("admin", "POST", "registered-models/rename", { name: "m2", new_name: "m3" }),
        200,
      );
      assert.equal(await w.auth.findRegisteredModelPermission("m3", reader.id), "READ");
      await expectJson(w.call("alice", "DELETE", "registered-models/delete", { name: "m3" }), 200);
      assert.equal(await w.auth.findRegisteredModelPermission("m3", reader.id), null);
      assert.equal(await w.auth.findRegisteredModelPermission("m3", alice.id), null);
      // A new model under the old name inherits nothing.
      await expectJson(w.call("admin", "POST", "registered-models/create", { name: "m3" }), 200);
      await expectDenied(w.call("reader", "GET", "registered-models/get?name=m3"));
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): a run's user_id is the authenticated caller`, async () => {
    const w = await world(backend, "READ");
    try {
      const body = { experiment_id: w.exp, user_id: "someone-else", start_time: 1 };
      const run = (await expectJson(w.call("editor", "POST", "runs/create", body), 200)).run;
      assert.equal(run.info.user_id, "editor");
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): runs/search drops the experiments the caller cannot read`, async () => {
    const w = await world(backend, "READ");
    try {
      const ids = (body: { runs?: { info: { run_id: string } }[] }) =>
        (body.runs ?? []).map((r) => r.info.run_id);
      const both = { experiment_ids: [w.exp, "0"] };
      assert.deepEqual(
        ids(await expectJson(w.call("admin", "POST", "runs/search", both), 200)).sort(),
        [w.run, w.defaultRun].sort(),
      );
      assert.deepEqual(
        ids(await expectJson(w.call("nobody", "POST", "runs/search", both), 200)),
        [w.defaultRun],
      );
      const none = await expectJson(
        w.call("nobody", "POST", "runs/search", { experiment_ids: [w.exp] }),
        200,
      );
      assert.deepEqual(ids(none), []);
      // A number is checked like the string it names.
      const numeric = await w.call("nobody", "POST", "runs/search", {
        experiment_ids: [Number(w.exp)],
      });
      if (numeric.status === 200) assert.deepEqual(ids(await numeric.json()), []);
      else await numeric.body?.cancel();
      // The same for logged-models/search, which names its experiments too.
      await expectJson(
        w.call("admin", "POST", "logged-models", { experiment_id: w.exp, name: "lm" }),
        200,
      );
      const models = await expectJson(
        w.call("nobody", "POST", "logged-models/search", { experiment_ids: [w.exp] }),
        200,
      );
      assert.deepEqual(models.models ?? [], []);
      const seen = await expectJson(
        w.call("reader", "POST", "logged-models/search", { experiment_ids: [w.exp] }),
        200,
      );
      assert.equal(seen.models.length, 1);
      // A logged model's own routes check its experiment (the id is in the path).
      const modelId = seen.models[0].info.model_id as string;
      await expectJson(w.call("reader", "GET", `logged-models/${modelId}`), 200);
      await expectDenied(w.call("nobody", "GET", `logged-models/${modelId}`));
      await expectDenied(w.call("editor", "DELETE", `logged-models/${modelId}/tags/k`));
      await expectDenied(w.call("reader", "PATCH", `logged-models/${modelId}/tags`, { tags: [] }));
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): the other searches leave out what the caller cannot read`, async () => {
    const w = await world(backend, "READ");
    try {
      const names = (body: { experiments?: { name: string }[] }) =>
        (body.experiments ?? []).map((e) => e.name).sort();
      // reader holds only a READ grant under a READ default: nothing is hidden from them.
      const all = await expectJson(w.call("reader", "POST", "experiments/search", {}), 200);
      assert.deepEqual(names(all), ["Default", "shared"]);
      // nobody holds NO_PERMISSIONS on `shared`: the search leaves it out.
      const some = await expectJson(w.call("nobody", "POST", "experiments/search", {}), 200);
      assert.deepEqual(names(some), ["Default"]);
      await expectJson(
        w.call("admin", "POST", "registered-models/create", { name: "hidden" }),
        200,
      );
      const source = "mlflow-artifacts:/0/x";
      await expectJson(
        w.call("admin", "POST", "model-versions/create", { name: "hidden", source }),
        200,
      );
      const models = await expectJson(w.call("nobody", "GET", "registered-models/search"), 200);
      assert.equal(models.registered_models.length, 1);
      await w.auth.createRegisteredModelPermission("hidden", "nobody", "NO_PERMISSIONS");
      assert.deepEqual(
        await expectJson(w.call("nobody", "GET", "registered-models/search"), 200),
        {},
      );
      assert.deepEqual(await expectJson(w.call("nobody", "GET", "model-versions/search"), 200), {});
      const versions = await expectJson(w.call("admin", "GET", "model-versions/search"), 200);
      assert.equal(versions.model_versions.length, 1);
      const admin = await expectJson(w.call("admin", "POST", "experiments/search", {}), 200);
      assert.deepEqual(names(admin), ["Default", "shared"]);
    } finally {
      await w.close();
    }
    const closed = await world(backend, "NO_PERMISSIONS");
    try {
      const mine = await expectJson(closed.call("reader", "POST", "experiments/search", {}), 200);
      assert.deepEqual(mine.experiments.map((e: { name: string }) => e.name), ["shared"]);
    } finally {
      await closed.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): UI pages are left to check what they show`, async () => {
    const w = await world(backend, "READ");
    try {
      for (const path of ["/", `/experiments/${w.exp}`, `/runs/${w.run}`, "/models"]) {
        for (const user of ["admin", "reader"]) {
          const res = await w.call(user, "GET", path);
          assert.equal(res.status, 200, `${user} ${path}`);
          await res.body?.cancel();
        }
      }
      // nobody holds NO_PERMISSIONS on `shared`: the lists open without it, its pages are the
      // UI's own 403 page (HTML), not the middleware's JSON refusal.
      for (const path of ["/", "/models", `/experiments/${w.exp}`, `/runs/${w.run}`]) {
        const res = await w.call("nobody", "GET", path);
        const html = await res.text();
        assert.match(res.headers.get("content-type") ?? "", /^text\/html/, path);
        if (path === "/" || path === "/models") {
          assert.equal(res.status, 200, path);
          assert.doesNotMatch(html, /shared/, path);
        } else {
          assert.equal(res.status, 403, path);
          assert.match(html, /Permission denied/, path);
        }
      }
      // Static assets need no credentials at all.
      const asset = await w.app.request("/static/does-not-exist.js");
      assert.notEqual(asset.status, 401);
      await asset.body?.cancel();
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): an unknown resource is 404 only for callers who could read it by default`, async () => {
    const open = await world(backend, "READ");
    try {
      const res = await open.call("reader", "GET", "runs/get?run_id=doesnotexist");
      assert.equal((await expectJson(res, 404)).error_code, "RESOURCE_DOES_NOT_EXIST");
      await expectJson(open.call("reader", "GET", "experiments/get?experiment_id=999"), 404);
    } finally {
      await open.close();
    }
    const closed = await world(backend, "NO_PERMISSIONS");
    try {
      await expectDenied(closed.call("reader", "GET", "runs/get?run_id=doesnotexist"));
      await expectDenied(closed.call("reader", "GET", "experiments/get?experiment_id=999"));
      await expectDenied(closed.call("reader", "GET", "experiments/get-by-name?experiment_name=x"));
      // The grant still opens what it names.
      await expectJson(closed.call("reader", "GET", `runs/get?run_id=${closed.run}`), 200);
      await expectDenied(closed.call("reader", "GET", `runs/get?run_id=${closed.defaultRun}`));
    } finally {
      await closed.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): the bulk chart read needs READ on every run it names`, async () => {
    const w = await world(backend, "NO_PERMISSIONS");
    try {
      for (const run_id of [w.run, w.defaultRun]) {
        await expectJson(w.call("admin", "POST", "runs/log-metric", metric(run_id)), 200);
      }
      const bulk = (user: string, ...ids: string[]) =>
        w.call(
          user,
          "GET",
          `metrics/get-history-downsampled-bulk?${new URLSearchParams([
            ...ids.map((id) => ["run_ids", id]),
            ["metric_key", "m"],
          ])}`,
        );
      const runsOf = async (res: Promise<Response> | Response) =>
        ((await expectJson(res, 200)).runs ?? []).map((r: { run_id: string }) => r.run_id);
      assert.deepEqual(await runsOf(bulk("reader", w.run)), [w.run]);
      // One unreadable run (no grant, default NO_PERMISSIONS) refuses the whole request, so
      // nothing is learnt about it, not even whether it has the key.
      await expectDenied(bulk("reader", w.run, w.defaultRun));
      await expectDenied(bulk("reader", w.defaultRun, w.run));
      await expectDenied(bulk("reader", w.run, "doesnotexist"));
      await expectDenied(bulk("nobody", w.run));
      await expectDenied(bulk("alice", w.run));
      assert.deepEqual(await runsOf(bulk("admin", w.defaultRun, w.run)), [w.defaultRun, w.run]);
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): the artifact proxy checks the experiment in its path`, async () => {
    const w = await world(backend, "READ");
    try {
      const put = (user: string, path: string) =>
        w.app.request(`${PROXY}/${path}`, {
          method: "PUT",
          headers: { authorization: basic(user), "content-type": "text/plain" },
          body: "hello",
        });
      const key = `${w.exp}/${w.run}/artifacts/hello.txt`;
      await expectDenied(put("reader", key));
      await expectJson(put("editor", key), 200);
      const got = await w.call("reader", "GET", `${PROXY}/${key}`);
      assert.equal(got.status, 200);
      assert.equal(await got.text(), "hello");
      await expectDenied(w.call("nobody", "GET", `${PROXY}/${key}`));
      // Percent-encoding the experiment id does not get around the check (READ default, and
      // nobody's NO_PERMISSIONS grant is on that experiment).
      const encoded = [...w.exp].map((d) => `%253${d}`).join("");
      await expectDenied(
        w.call("nobody", "GET", `${PROXY}/${encoded}/${w.run}/artifacts/hello.txt`),
      );
      await expectDenied(w.call("nobody", "GET", `${PROXY}?path=${w.exp}/${w.run}/artifacts`));
      await expectDenied(w.call("editor", "DELETE", `${PROXY}/${key}`));
      // No experiment in the path: the READ default applies.
      await expectDenied(put("editor", "free.txt"));
      await expectDenied(w.call("nobody", "GET", `/get-artifact?run_uuid=${w.run}&path=hello.txt`));
    } finally {
      await w.close();
    }
  });

  Deno.test(`auth middleware (${backend.name}): Bearer tokens authenticate; revoked ones do not`, async () => {
    const w = await world(backend, "READ");
    try {
      const { token, record } = await w.auth.createToken("editor", "laptop");
      const bearer = (secret: string) =>
        w.app.request(`${API}/runs/log-metric`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: JSON.stringify(metric(w.run)),
        });
      await expectJson(bearer(token), 200);
      // The token as a Basic password works too.
      await expectJson(
        w.app.request(`${API}/runs/get?run_id=${w.run}`, {
          headers: { authorization: basic("editor", token) },
        }),
        200,
      );
      await w.auth.revokeToken("editor", record.id);
      const res = await bearer(token);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), WWW_AUTHENTICATE);
      await res.body?.cancel();
    } finally {
      await w.close();
    }
  });
}

Deno.test("auth middleware: without the auth option nothing changes", async () => {
  const app = newApp();
  const id = (await expectJson(
    app.request(`${API}/experiments/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "open" }),
    }),
    200,
  )).experiment_id;
  await expectJson(app.request(`${API}/experiments/get?experiment_id=${id}`), 200);
  const version = await app.request("/version");
  assert.equal(version.status, 200);
  await version.body?.cancel();
});
