import assert from "node:assert/strict";
import { createMemoryStore } from "../store/memory/mod.ts";
import { runTrackingStoreConformance } from "./store_conformance.ts";
import { identityConformance } from "./conformance/identity.ts";

runTrackingStoreConformance("memory", () => Promise.resolve({ store: createMemoryStore() }));
identityConformance("memory", (now) => Promise.resolve({ store: createMemoryStore({ now }) }));

Deno.test("createMemoryStore() joins a custom artifact root with exactly one slash", async () => {
  for (const root of ["file:///tmp/mlruns", "file:///tmp/mlruns/", "s3://bucket/p//"]) {
    const store = createMemoryStore({ defaultArtifactRoot: root });
    const base = root.replace(/\/+$/, "");
    assert.equal((await store.getExperiment("0")).artifact_location, `${base}/0`);
    const id = await store.createExperiment({ name: "e" });
    assert.equal((await store.getExperiment(id)).artifact_location, `${base}/${id}`);
    const run = await store.createRun({ experimentId: id });
    assert.equal(run.info.artifact_uri, `${base}/${id}/${run.info.run_id}/artifacts`);
  }
});
