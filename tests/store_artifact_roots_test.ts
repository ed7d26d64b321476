import { strictEqual } from "node:assert/strict";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { assertMlflowError } from "./fixtures.ts";

async function check(store: TrackingStore) {
  const ok = ["s3://bucket/prefix/team-a", "s3://bucket/prefix"];
  for (const [i, loc] of ok.entries()) {
    const id = await store.createExperiment({ name: `ok${i}`, artifactLocation: loc });
    strictEqual((await store.getExperiment(id)).artifact_location, loc);
  }
  for (
    const loc of [
      "s3://bucket/prefixed",
      "s3://bucket/other",
      "mlflow-artifacts:/1",
      "s3://bucket/prefix//x",
    ]
  ) {
    await assertMlflowError(
      store.createExperiment({ name: loc, artifactLocation: loc }),
      "INVALID_PARAMETER_VALUE",
    );
  }
  const defaulted = await store.createExperiment({ name: "defaulted" });
  strictEqual(
    (await store.getExperiment(defaulted)).artifact_location,
    `s3://bucket/prefix/${defaulted}`,
  );
}

Deno.test("createMemoryStore() with an s3 default root accepts locations only under it", async () => {
  await check(createMemoryStore({ defaultArtifactRoot: "s3://bucket/prefix" }));
});

Deno.test("createKvStore() with an s3 default root accepts locations only under it", async () => {
  using kv = await Deno.openKv(":memory:");
  await check(await createKvStore(kv, { defaultArtifactRoot: "s3://bucket/prefix" }));
});
