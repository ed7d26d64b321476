/**
 * The auth middleware remembers a run's experiment per process (routes/auth/experiment_ids.ts):
 * repeated writes to one run read the run once, while the caller's grant is still read on every
 * request, so a revocation takes effect on the next one.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";
import { API, expectJson } from "./_helpers.ts";

const PW = "a long enough password";
const basic = (user: string) => `Basic ${btoa(`${user}:${PW}`)}`;

Deno.test("auth middleware: a run's experiment is read once, its grant on every request", async () => {
  const inner = createMemoryStore();
  let getRunCalls = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== "getRun") return typeof v === "function" ? v.bind(target) : v;
      return (id: string) => {
        getRunCalls++;
        return target.getRun(id);
      };
    },
  }) as TrackingStore;
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const app = createApp({ store, auth: { store: auth, defaultPermission: "NO_PERMISSIONS" } });
  await auth.createUser("admin", PW, true);
  await auth.createUser("alice", PW, false);
  const post = (user: string, path: string, body: unknown) =>
    app.request(`${API}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic(user) },
      body: JSON.stringify(body),
    });
  const { experiment_id } = await expectJson(
    post("admin", "experiments/create", { name: "e" }),
    200,
  );
  const run = (await expectJson(post("admin", "runs/create", { experiment_id }), 200)).run.info
    .run_id;
  await auth.createExperimentPermission(experiment_id, "alice", "EDIT");
  const metric = (step: number) => ({ run_id: run, key: "m", value: 1, timestamp: 1, step });

  getRunCalls = 0;
  for (let step = 0; step < 5; step++) {
    await expectJson(post("alice", "runs/log-metric", metric(step)), 200);
  }
  assert.equal(getRunCalls, 1, "the run was read for its experiment once");

  await auth.updateExperimentPermission(experiment_id, "alice", "READ");
  await expectJson(post("alice", "runs/log-metric", metric(5)), 403);
  await auth.deleteExperimentPermission(experiment_id, "alice");
  await expectJson(post("alice", "runs/log-metric", metric(6)), 403);
  await auth.createExperimentPermission(experiment_id, "alice", "EDIT");
  await expectJson(post("alice", "runs/log-metric", metric(7)), 200);

  // An unknown run is not remembered: it stays a refusal for a caller who reads nothing.
  await expectJson(post("alice", "runs/log-metric", { ...metric(8), run_id: "f".repeat(32) }), 403);
  await expectJson(post("alice", "runs/log-metric", { ...metric(8), run_id: "f".repeat(32) }), 403);
});
