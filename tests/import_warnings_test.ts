/**
 * What an import (store/ops/import.ts) cannot carry is a warning, and the rest goes on: an
 * artifact location the target refuses, a model version or alias it refuses, a user it already
 * has, a grant of an unknown level.
 */
import assert from "node:assert/strict";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { exportRecords } from "../store/ops/export.ts";
import type { ExportRecord } from "../store/ops/export_format.ts";
import { importRecords } from "../store/ops/import.ts";

async function collect(it: AsyncIterable<ExportRecord>): Promise<ExportRecord[]> {
  const out: ExportRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function* stream(records: ExportRecord[]): AsyncGenerator<ExportRecord> {
  yield* records;
}

/** An export with one experiment, one registered model with a version and an alias, and users. */
async function exported(): Promise<ExportRecord[]> {
  const src = createMemoryStore();
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1 });
  const exp = await src.createExperiment({ name: "main" });
  await src.createRegisteredModel({ name: "m" });
  await src.createModelVersion({ name: "m", source: "mlflow-artifacts:/1/abc/artifacts/model" });
  await src.setRegisteredModelAlias("m", "prod", "1");
  await auth.createUser("bob", "bob's long password", false);
  await auth.createExperimentPermission(exp, "bob", "EDIT");
  return await collect(exportRecords(src, { authStore: auth }));
}

Deno.test("importRecords() warns of what the target refuses and imports the rest", async () => {
  const records = await exported();
  for (const r of records) {
    if (r.type === "experiment" && r.experiment.name === "main") {
      r.experiment.artifact_location = "runs:/abc/artifacts";
    }
    if (r.type === "registered_model") {
      r.versions.push({ ...r.versions[0], version: "2", source: "s3://bucket/x#frag" });
      r.model.aliases.push({ alias: "next", version: "7" });
    }
  }
  const user = records.find((r) => r.type === "user")!;
  const grant = records.find((r) => r.type === "grant")!;
  assert.equal(grant.type, "grant");
  records.push(user, { ...grant, grant: { ...grant.grant, permission: "SUPER" } });
  records.push({ type: "grant", grant: { username: "bob", permission: "READ" } });

  const dst = createMemoryStore();
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1 });
  const result = await importRecords(dst, stream(records), { authStore: auth });

  const said = (subject: string, start: string) =>
    result.warnings.filter((w) => w.subject === subject && w.message.startsWith(start)).length;
  assert.equal(said("experiment 1", "artifact location not allowed here (Invalid"), 1);
  const exp = await dst.getExperimentByName("main");
  assert.equal(exp.artifact_location, "mlflow-artifacts:/1");
  assert.equal(said("registered model 'm' version 2", "not imported: Invalid"), 1);
  assert.equal(said("registered model 'm'", "alias 'next' not set: "), 1);
  assert.equal((await dst.getModelVersionByAlias("m", "prod")).version, "1");
  assert.equal(said("user bob", "not imported: "), 1);
  assert.equal(said("grant of bob on 1", "not imported: bad level SUPER"), 1);
  assert.equal(result.warnings.length, 5);
  assert.equal(result.counts.experiments, 1);
  assert.equal(result.counts.model_versions, 1);
  assert.equal(result.counts.registered_models, 1);
  assert.equal(result.counts.users, 1);
  assert.equal(result.counts.grants, 1);
  const bob = await auth.getUser("bob");
  assert.equal(await auth.findExperimentPermission(exp.experiment_id, bob.id), "EDIT");
});
