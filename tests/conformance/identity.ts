/**
 * Conformance: what an import needs to keep identity and times — the import-only identity
 * fields of the create inputs (experiment id and times, run id and artifact URI, logged model
 * id) and the store's clock (`now`), which stamps every entity time a write records.
 */
import assert from "node:assert/strict";
import { SettableClock } from "../../store/clock.ts";
import type { TrackingStore } from "../../store/types.ts";
import { assertMlflowError, randomExperimentName, T0 } from "../fixtures.ts";

/** Opens a fresh store whose entity times come from `now`. */
export type MakeClockedStore = (
  now: () => number,
) => Promise<{ store: TrackingStore; close?: () => Promise<void> | void }>;

const MODEL_ID = "m-00112233445566778899aabbccddeeff";
const RUN_ID = "0123456789abcdef0123456789abcdef";

/** Registers `"[<name>] <title>"` tests, each with a fresh store over a {@linkcode SettableClock}. */
export function identityConformance(name: string, make: MakeClockedStore): void {
  const test = (title: string, fn: (s: TrackingStore, clock: SettableClock) => Promise<void>) =>
    Deno.test(`[${name}] ${title}`, async () => {
      const clock = new SettableClock();
      const { store, close } = await make(clock.now);
      try {
        await fn(store, clock);
      } finally {
        await close?.();
      }
    });

  test("createExperiment() keeps a given id and times, and numbers later ones past it", async (s) => {
    const id = await s.createExperiment({
      name: "imported",
      experimentId: "41",
      creationTime: T0,
      lastUpdateTime: T0 + 5,
    });
    assert.equal(id, "41");
    const e = await s.getExperiment("41");
    assert.equal(e.creation_time, T0);
    assert.equal(e.last_update_time, T0 + 5);
    assert.equal(e.artifact_location, "mlflow-artifacts:/41");
    assert.equal(await s.createExperiment({ name: randomExperimentName() }), "42");
    await assertMlflowError(
      s.createExperiment({ name: "other", experimentId: "41" }),
      "RESOURCE_ALREADY_EXISTS",
    );
    await assertMlflowError(
      s.createExperiment({ name: "bad", experimentId: "01" }),
      "INVALID_PARAMETER_VALUE",
    );
    // A lower free id is kept too, and does not move the counter back.
    assert.equal(await s.createExperiment({ name: "low", experimentId: "7" }), "7");
    assert.equal(await s.createExperiment({ name: randomExperimentName() }), "43");
  });

  test("createRun() keeps a given run id and artifact URI; a taken id is refused", async (s) => {
    const exp = await s.createExperiment({ name: randomExperimentName() });
    const run = await s.createRun({
      experimentId: exp,
      runId: RUN_ID,
      artifactUri: "s3://bucket/somewhere/artifacts",
      startTime: T0,
    });
    assert.equal(run.info.run_id, RUN_ID);
    const got = await s.getRun(RUN_ID);
    assert.equal(got.info.artifact_uri, "s3://bucket/somewhere/artifacts");
    assert.equal(got.info.start_time, T0);
    await assertMlflowError(
      s.createRun({ experimentId: exp, runId: RUN_ID }),
      "RESOURCE_ALREADY_EXISTS",
    );
    const plain = await s.createRun({ experimentId: exp, runId: RUN_ID.replace("0", "f") });
    assert.equal(
      plain.info.artifact_uri,
      `mlflow-artifacts:/${exp}/${plain.info.run_id}/artifacts`,
    );
  });

  test(
    "createLoggedModel() keeps a given model id; its times come from the clock",
    async (s, clock) => {
      const exp = await s.createExperiment({ name: randomExperimentName() });
      clock.set(T0);
      const m = await s.createLoggedModel({ experimentId: exp, name: "clf", modelId: MODEL_ID });
      assert.equal(m.info.model_id, MODEL_ID);
      assert.equal(m.info.creation_timestamp_ms, T0);
      clock.set(T0 + 10);
      const done = await s.finalizeLoggedModel(MODEL_ID, "LOGGED_MODEL_READY");
      assert.equal(done.info.last_updated_timestamp_ms, T0 + 10);
      await assertMlflowError(
        s.createLoggedModel({ experimentId: exp, modelId: MODEL_ID }),
        "RESOURCE_ALREADY_EXISTS",
      );
      await assertMlflowError(
        s.createLoggedModel({ experimentId: exp, modelId: "m-nothex" }),
        "INVALID_PARAMETER_VALUE",
      );
    },
  );

  test("the clock stamps experiment, run and registry times", async (s, clock) => {
    clock.set(T0);
    const exp = await s.createExperiment({ name: randomExperimentName() });
    assert.equal((await s.getExperiment(exp)).creation_time, T0);
    const run = await s.createRun({ experimentId: exp });
    assert.equal(run.info.start_time, T0);
    clock.set(T0 + 1);
    const rm = await s.createRegisteredModel({ name: "reg" });
    assert.equal(rm.creation_timestamp, T0 + 1);
    clock.set(T0 + 2);
    const mv = await s.createModelVersion({ name: "reg", source: `${run.info.artifact_uri}/m` });
    assert.equal(mv.creation_timestamp, T0 + 2);
    clock.set(T0 + 3);
    const moved = await s.transitionModelVersionStage("reg", mv.version, "Staging", false);
    assert.equal(moved.last_updated_timestamp, T0 + 3);
    clock.set(T0 + 4);
    await s.updateRegisteredModel("reg", "d");
    assert.equal((await s.getRegisteredModel("reg")).last_updated_timestamp, T0 + 4);
    clock.set(T0 + 5);
    await s.deleteExperiment(exp);
    assert.equal((await s.getExperiment(exp)).last_update_time, T0 + 5);
  });
}
