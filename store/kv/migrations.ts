/**
 * kvflow's schema history: the ordered migrations that bring a KV store from the layout it was
 * written with to the one this code reads. Version 1 is the layout before any version was
 * recorded (a store with data and no `meta/schema_version` key); each later version adds keys
 * that readers rely on once the store is at that version. The current version is the last one.
 *
 * Each migration is idempotent (its writes are plain sets of values derived from the records, or
 * checked commits), so it is safe to run again after a kill or from two processes at once; the
 * runner (`schema.ts`) records the new version in a checked commit after it.
 *
 * Only layout changes are migrations. Per-open housekeeping (sweeping batches abandoned by
 * crashed writers, creating the Default experiment) still runs at every open.
 *
 * To add one: write it so a half-done run is safe to repeat, append it here with the next
 * version, and regenerate the fixture (`tests/fixtures/make_schema_fixture.ts`).
 *
 * @module
 */
import { ensureExperimentLifecycles } from "./experiment_lifecycles.ts";
import {
  experimentLifecyclesKey,
  loggedModelsByRunBuiltKey,
  modelVersionsBySourceModelBuiltKey,
  pendingBatchCountKey,
} from "./keys.ts";
import { buildLoggedModelsByRun } from "./logged_models.ts";
import type { MigrationStep } from "./migration_step.ts";
import type { Mutation } from "./mutations.ts";
import { buildVersionsBySourceModel } from "./registry_search.ts";
import { rollForwardUncounted } from "./staged_batch.ts";

/** One step of the schema history. */
export interface Migration {
  /** The version a store is at once this migration has run. */
  version: number;
  /** A stable name, saved in the progress marker of a killed run. */
  id: string;
  /** One line for `deno task migrate --dry-run`. */
  summary: string;
  /**
   * Does the work; returns the writes to commit together with the version bump (an index's
   * built mark).
   */
  run(step: MigrationStep): Promise<Mutation[]>;
  /**
   * What an empty database holds once at this version (an empty lifecycles key, a zero count, an
   * index's mark): written with the version stamp by the first open.
   */
  initial(): Mutation[];
}

/** The `run` of a migration whose work commits all its own writes (none go with the bump). */
function committedByItself(
  work: (kv: Deno.Kv) => Promise<unknown>,
): (step: MigrationStep) => Promise<Mutation[]> {
  return async (step) => {
    await work(step.kv);
    return [];
  };
}

/** Every migration, in order; versions run 2, 3, … with no gaps. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 2,
    id: "experiment_lifecycles",
    summary: "one key with every non-initial experiment lifecycle (runs/get in one round trip)",
    run: committedByItself(ensureExperimentLifecycles),
    initial: () => [{ key: experimentLifecyclesKey(), value: { exps: {} } }],
  },
  {
    version: 3,
    id: "pending_batch_count",
    summary: "count of multi-commit batches still being applied (rolls forward uncounted ones)",
    run: committedByItself(rollForwardUncounted),
    initial: () => [{ key: pendingBatchCountKey(), value: new Deno.KvU64(0n) }],
  },
  {
    version: 4,
    id: "logged_models_by_run",
    summary: "index of logged models by source run",
    run: buildLoggedModelsByRun,
    initial: () => [{ key: loggedModelsByRunBuiltKey(), value: true }],
  },
  {
    version: 5,
    id: "model_versions_by_source_model",
    summary: "index of model versions registered from a logged model (models:/<id>)",
    run: buildVersionsBySourceModel,
    initial: () => [{ key: modelVersionsBySourceModelBuiltKey(), value: true }],
  },
]);

/** The schema version this code writes and reads: the last migration's. */
export const SCHEMA_VERSION: number = MIGRATIONS.at(-1)!.version;

/** The layout of a store with data but no recorded version: before versions existed. */
export const UNVERSIONED_SCHEMA = 1;
