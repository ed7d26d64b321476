/**
 * kvflow's permanent-delete endpoints: `runs/delete-permanently` and
 * `experiments/delete-permanently` (MANAGE) and `gc` (admin, bounded per request).
 */
import assert from "node:assert/strict";
import { createAuthWorld, type Req } from "../helpers/auth_world.ts";
import { MAX_GC_REQUEST_IDS } from "../../routes/schemas/gc.ts";

const post = (path: string, body: unknown): Req => ({ method: "POST", path, body });
const get = (path: string): Req => ({ method: "GET", path });

Deno.test("POST /runs/delete-permanently", async (t) => {
  await using w = await createAuthWorld();
  const deletedRun = async (caller: "EDIT" | "MANAGE") => {
    const { run } = await w.freshExperiment(caller);
    await w.admin(post("runs/delete", { run_id: run }));
    return run;
  };

  await t.step("answers 401 without credentials and 403 below MANAGE", async () => {
    const run = await deletedRun("EDIT");
    const anon = await w.as("anonymous", post("runs/delete-permanently", { run_id: run }));
    assert.equal(anon.status, 401);
    const editor = await w.as("EDIT", post("runs/delete-permanently", { run_id: run }));
    assert.equal(editor.status, 403);
    assert.equal((await w.as("admin", get(`runs/get?run_id=${run}`))).status, 200);
  });

  await t.step("purges a deleted run; its GET is then 404", async () => {
    const run = await deletedRun("MANAGE");
    const r = await w.as("MANAGE", post("runs/delete-permanently", { run_id: run }));
    assert.equal(r.status, 200, r.text);
    assert.match(r.type, /^application\/json/);
    assert.deepEqual(r.json.run_ids, [run]);
    const gone = await w.as("admin", get(`runs/get?run_id=${run}`));
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  });

  await t.step("answers 400 for an active run and 404 for an unknown one", async () => {
    const { run } = await w.freshExperiment("MANAGE");
    const active = await w.as("MANAGE", post("runs/delete-permanently", { run_id: run }));
    assert.equal(active.status, 400);
    assert.equal(active.json.error_code, "INVALID_PARAMETER_VALUE");
    const unknown = await w.as(
      "admin",
      post("runs/delete-permanently", { run_id: "f".repeat(32) }),
    );
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error_code, "RESOURCE_DOES_NOT_EXIST");
    const long = await w.as("admin", post("runs/delete-permanently", { run_id: "f".repeat(5000) }));
    assert.equal(long.status, 400);
  });
});

Deno.test("POST /experiments/delete-permanently", async (t) => {
  await using w = await createAuthWorld();

  await t.step("answers 403 below MANAGE and 400 for an active experiment", async () => {
    const { exp } = await w.freshExperiment("EDIT");
    await w.admin(post("experiments/delete", { experiment_id: exp }));
    const r = await w.as("EDIT", post("experiments/delete-permanently", { experiment_id: exp }));
    assert.equal(r.status, 403);
    const live = await w.freshExperiment("MANAGE");
    const active = await w.as(
      "MANAGE",
      post("experiments/delete-permanently", { experiment_id: live.exp }),
    );
    assert.equal(active.status, 400);
  });

  await t.step("purges it with its runs and frees the name", async () => {
    const { exp, run, name } = await w.freshExperiment("MANAGE");
    await w.admin(post("experiments/delete", { experiment_id: exp }));
    const r = await w.as("MANAGE", post("experiments/delete-permanently", { experiment_id: exp }));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.experiment_ids, [exp]);
    const got = await w.as("admin", get(`experiments/get?experiment_id=${exp}`));
    assert.equal(got.status, 404);
    assert.equal((await w.as("admin", get(`runs/get?run_id=${run}`))).status, 404);
    const again = await w.as("admin", post("experiments/create", { name }));
    assert.equal(again.status, 200, again.text);
  });
});

Deno.test("POST /gc", async (t) => {
  await using w = await createAuthWorld();

  await t.step("is for admins only", async () => {
    assert.equal((await w.as("anonymous", post("gc", {}))).status, 401);
    assert.equal((await w.as("MANAGE", post("gc", { dry_run: true }))).status, 403);
  });

  await t.step("purges at most max_entities per call and says more remain", async () => {
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { run } = await w.freshExperiment("admin");
      await w.admin(post("runs/delete", { run_id: run }));
      runs.push(run);
    }
    const first = await w.as("admin", post("gc", { max_entities: 2 }));
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.run_ids.length, 2);
    assert.equal(first.json.more, true);
    const rest = await w.as("admin", post("gc", { max_entities: 2 }));
    assert.deepEqual(rest.json.run_ids.length, 1);
    assert.equal(rest.json.more, false);
    assert.deepEqual([...first.json.run_ids, ...rest.json.run_ids].sort(), runs.sort());
  });

  await t.step("answers 400 for bad input", async () => {
    for (
      const body of [
        { older_than: "30x" },
        { max_entities: 0 },
        { max_entities: 101 },
        { run_ids: Array.from({ length: MAX_GC_REQUEST_IDS + 1 }, (_, i) => `${i}`) },
        { dry_run: "yes" },
      ]
    ) {
      const r = await w.as("admin", post("gc", body));
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(r.json.error_code, "INVALID_PARAMETER_VALUE");
    }
  });
});
