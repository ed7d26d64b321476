/** Issue 10 #11 over HTTP: lifecycle requests that cannot do what they ask are 400, not 200. */
import assert from "node:assert/strict";
import { createKvStore } from "../../store/kv/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";
import {
  createExperiment,
  createRun,
  expectError,
  expectJson,
  get,
  newApp,
  post,
} from "./_helpers.ts";

const BACKENDS: { name: string; open: () => Promise<{ store: TrackingStore; close(): void }> }[] = [
  { name: "memory", open: () => Promise.resolve({ store: createMemoryStore(), close() {} }) },
  {
    name: "kv",
    async open() {
      const kv = await Deno.openKv(":memory:");
      return { store: await createKvStore(kv), close: () => kv.close() };
    },
  },
];

for (const backend of BACKENDS) {
  Deno.test(`[${backend.name}] regression: runs/restore in a deleted experiment is 400 INVALID_STATE, not 200 (issue 10 #11)`, async () => {
    const { store, close } = await backend.open();
    try {
      const app = newApp({ store });
      const exp = await createExperiment(app);
      const runId = await createRun(app, exp);
      await expectJson(post(app, "experiments/delete", { experiment_id: exp }), 200);
      const msg = await expectError(
        post(app, "runs/restore", { run_id: runId }),
        400,
        "INVALID_STATE",
      );
      assert.equal(
        msg,
        `Cannot restore run ${runId} because its experiment ${exp} is deleted; restore the experiment first.`,
      );
      const run = await expectJson(get(app, "runs/get", { run_id: runId }), 200);
      assert.equal(run.run.info.lifecycle_stage, "deleted");
    } finally {
      close();
    }
  });

  Deno.test(`[${backend.name}] regression: experiments/delete of Default '0' is 400, as MLflow's file store (issue 10 #11)`, async () => {
    const { store, close } = await backend.open();
    try {
      const app = newApp({ store });
      for (const id of ["0", 0]) {
        const msg = await expectError(
          post(app, "experiments/delete", { experiment_id: id }),
          400,
          "INVALID_PARAMETER_VALUE",
        );
        assert.equal(
          msg,
          "Cannot delete the default experiment '0'. This is an internally reserved experiment.",
        );
      }
      const got = await expectJson(get(app, "experiments/get", { experiment_id: "0" }), 200);
      assert.equal(got.experiment.lifecycle_stage, "active");
    } finally {
      close();
    }
  });
}
