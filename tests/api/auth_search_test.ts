/**
 * Searches under auth (issue 11 §4), on both auth-store backends: `experiments/search` (POST and
 * GET), `registered-models/search` and `model-versions/search` leave out what the caller cannot
 * read and still fill their pages, as MLflow's basic-auth app does (auth traffic §6); admins see
 * everything; the `/ajax-api` twins filter the same way.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvAuthStore } from "../../store/auth/kv/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import type { AuthStore, Permission } from "../../store/auth/types.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { expectJson } from "./_helpers.ts";

const ITER = 1000;
const PW = "a long enough password";

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

const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

type Json = Record<string, unknown>;

interface World {
  auth: AuthStore;
  /** Experiment ids by name, as auth traffic §6 numbers them. */
  ids: Record<string, string>;
  call(user: string, method: string, path: string, body?: unknown): Promise<Response>;
  close(): void;
}

/**
 * Auth traffic §6's world: admin-exp (1), alice-exp (2), alice-secret (3), bob-exp (4), each
 * made by its owner; registered models a-model, alice-hidden, b-model, c-model with two
 * versions each. `prefix` is `/api` or `/ajax-api`.
 */
async function world(backend: Backend, defaultPermission: Permission): Promise<World> {
  const [auth, close] = await backend.open();
  const app = createApp({
    store: createMemoryStore(),
    auth: { store: auth, defaultPermission },
  });
  await auth.createUser("admin", PW, true);
  for (const u of ["alice", "bob", "carol", "dave"]) await auth.createUser(u, PW, false);
  const call = (user: string, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Basic ${btoa(`${user}:${PW}`)}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = path.startsWith("/") ? path : `/api/2.0/mlflow/${path}`;
    return Promise.resolve(
      app.request(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  };
  const ids: Record<string, string> = {};
  for (
    const [owner, name] of [
      ["admin", "admin-exp"],
      ["alice", "alice-exp"],
      ["alice", "alice-secret"],
      ["bob", "bob-exp"],
    ]
  ) {
    await tick(); // distinct creation times: the default order is newest first
    const made = await expectJson(call(owner, "POST", "experiments/create", { name }), 200);
    ids[name] = made.experiment_id as string;
  }
  for (const name of ["a-model", "alice-hidden", "b-model", "c-model"]) {
    await expectJson(call("alice", "POST", "registered-models/create", { name }), 200);
    for (let v = 0; v < 2; v++) {
      const source = `mlflow-artifacts:/${ids["alice-exp"]}/${name}/${v}`;
      await expectJson(call("alice", "POST", "model-versions/create", { name, source }), 200);
    }
  }
  return { auth, ids, call, close };
}

const names = (body: Json, field: string) =>
  ((body[field] ?? []) as { name: string }[]).map((x) => x.name);

/** Every page of a search with `max`, as names, following `next_page_token`. */
async function pages(
  search: (max: number, token?: string) => Promise<Json>,
  field: string,
  max: number,
  label: (x: Json) => string = (x) => x.name as string,
): Promise<string[][]> {
  const out: string[][] = [];
  let token: string | undefined;
  do {
    const body = await search(max, token);
    const items = ((body[field] ?? []) as Json[]).map(label);
    if (body.next_page_token !== undefined) assert.equal(items.length, max, "full page");
    out.push(items);
    token = body.next_page_token as string | undefined;
    assert.ok(out.length <= 50);
  } while (token !== undefined);
  return out;
}

function chunks(items: string[], max: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out.length === 0 ? [[]] : out;
}

for (const backend of BACKENDS) {
  Deno.test(`auth searches (${backend.name}): experiments/search reproduces MLflow's refilled pages`, async () => {
    const w = await world(backend, "READ");
    try {
      await w.auth.createExperimentPermission(w.ids["alice-secret"], "bob", "NO_PERMISSIONS");
      const newestFirst = ["bob-exp", "alice-secret", "alice-exp", "admin-exp", "Default"];
      const forBob = ["bob-exp", "alice-exp", "admin-exp", "Default"];
      for (const prefix of ["/api", "/ajax-api"]) {
        const url = `${prefix}/2.0/mlflow/experiments/search`;
        const post = (user: string) => async (max: number, page_token?: string) =>
          await expectJson(w.call(user, "POST", url, { max_results: max, page_token }), 200);
        const get = (user: string) => async (max: number, page_token?: string) => {
          const q = new URLSearchParams({ max_results: String(max) });
          if (page_token) q.set("page_token", page_token);
          return await expectJson(w.call(user, "GET", `${url}?${q}`), 200);
        };
        // auth traffic §6: 1000 → four experiments, no token (admin: five).
        const all = await post("bob")(1000);
        assert.deepEqual(names(all, "experiments"), forBob);
        assert.equal(all.next_page_token, undefined);
        assert.deepEqual(names(await post("admin")(1000), "experiments"), newestFirst);
        // 1 → [bob-exp] with a token; 2 → [bob-exp, alice-exp] with a token.
        const one = await post("bob")(1);
        assert.deepEqual(names(one, "experiments"), ["bob-exp"]);
        assert.equal(typeof one.next_page_token, "string");
        const two = await post("bob")(2);
        assert.deepEqual(names(two, "experiments"), ["bob-exp", "alice-exp"]);
        assert.equal(typeof two.next_page_token, "string");
        for (const search of [post, get]) {
          for (const max of [1, 2, 3, 1000]) {
            assert.deepEqual(
              await pages(search("bob"), "experiments", max),
              chunks(forBob, max),
              `${prefix} bob, max_results ${max}`,
            );
            assert.deepEqual(
              await pages(search("admin"), "experiments", max),
              chunks(newestFirst, max),
              `${prefix} admin, max_results ${max}`,
            );
          }
        }
      }
    } finally {
      w.close();
    }
  });

  Deno.test(`auth searches (${backend.name}): registry searches leave out a hidden model and still fill pages`, async () => {
    const w = await world(backend, "READ");
    try {
      await w.auth.createRegisteredModelPermission("alice-hidden", "bob", "NO_PERMISSIONS");
      const models = ["a-model", "alice-hidden", "b-model", "c-model"];
      const forBob = ["a-model", "b-model", "c-model"];
      const version = (x: Json) => `${x.name}/${x.version}`;
      const versionsOf = (ms: string[]) => ms.flatMap((m) => [`${m}/1`, `${m}/2`]);
      for (const prefix of ["/api", "/ajax-api"]) {
        const base = `${prefix}/2.0/mlflow`;
        const search =
          (path: string, user: string, extra: Record<string, string> = {}) =>
          async (max: number, token?: string) => {
            const q = new URLSearchParams({ max_results: String(max), ...extra });
            if (token) q.set("page_token", token);
            return await expectJson(w.call(user, "GET", `${base}/${path}?${q}`), 200);
          };
        const byNameAsc = { order_by: "name ASC" };
        for (const max of [1, 2, 3, 1000]) {
          // Registered models come in name order by default.
          assert.deepEqual(
            await pages(search("registered-models/search", "bob"), "registered_models", max),
            chunks(forBob, max),
            `${prefix} bob, registered models, max_results ${max}`,
          );
          assert.deepEqual(
            await pages(search("registered-models/search", "admin"), "registered_models", max),
            chunks(models, max),
          );
          // Versions ordered by name, then version number descending (the tie-break).
          const mv = (user: string) => search("model-versions/search", user, byNameAsc);
          const ordered = (ms: string[]) => ms.flatMap((m) => [`${m}/2`, `${m}/1`]);
          assert.deepEqual(
            await pages(mv("bob"), "model_versions", max, version),
            chunks(ordered(forBob), max),
            `${prefix} bob, model versions, max_results ${max}`,
          );
          assert.deepEqual(
            await pages(mv("admin"), "model_versions", max, version),
            chunks(ordered(models), max),
          );
        }
        // A filter naming the hidden model finds nothing; the default order still fills pages.
        const hidden = await search("model-versions/search", "bob", {
          filter: "name = 'alice-hidden'",
        })(10);
        assert.deepEqual(hidden, {});
        const bobs = await search("model-versions/search", "bob")(1000);
        assert.deepEqual(
          (bobs.model_versions as Json[]).map(version).sort(),
          versionsOf(forBob).sort(),
        );
      }
    } finally {
      w.close();
    }
  });

  Deno.test(`auth searches (${backend.name}): under a NO_PERMISSIONS default one READ grant shows only that one`, async () => {
    const w = await world(backend, "NO_PERMISSIONS");
    try {
      await w.auth.createExperimentPermission(w.ids["alice-exp"], "carol", "READ");
      await w.auth.createRegisteredModelPermission("b-model", "carol", "READ");
      for (const prefix of ["/api", "/ajax-api"]) {
        const base = `${prefix}/2.0/mlflow`;
        for (const max of [1, 1000]) {
          const exps = await expectJson(
            w.call("carol", "POST", `${base}/experiments/search`, { max_results: max }),
            200,
          );
          assert.deepEqual(names(exps, "experiments"), ["alice-exp"]);
          assert.equal(exps.next_page_token, undefined);
          const q = `max_results=${max}`;
          const rms = await expectJson(
            w.call("carol", "GET", `${base}/registered-models/search?${q}`),
            200,
          );
          assert.deepEqual(names(rms, "registered_models"), ["b-model"]);
          assert.equal(rms.next_page_token, undefined);
          const mvs = await expectJson(
            w.call("carol", "GET", `${base}/model-versions/search?${q}`),
            200,
          );
          assert.deepEqual(
            [...new Set(names(mvs, "model_versions"))],
            ["b-model"],
          );
        }
        // dave holds no grant at all: empty pages, no token.
        assert.deepEqual(
          await expectJson(w.call("dave", "POST", `${base}/experiments/search`, {}), 200),
          {},
        );
        assert.deepEqual(
          await expectJson(w.call("dave", "GET", `${base}/registered-models/search`), 200),
          {},
        );
        assert.deepEqual(
          await expectJson(w.call("dave", "GET", `${base}/model-versions/search`), 200),
          {},
        );
      }
      // The creators' MANAGE grants still show them their own.
      const alices = await expectJson(w.call("alice", "POST", "experiments/search", {}), 200);
      assert.deepEqual(names(alices, "experiments"), ["alice-secret", "alice-exp"]);
      const bobs = await expectJson(w.call("bob", "POST", "experiments/search", {}), 200);
      assert.deepEqual(names(bobs, "experiments"), ["bob-exp"]);
    } finally {
      w.close();
    }
  });
}
