/**
 * The `migrate` section of `deno task bench`: `deno task migrate` on a version-1 store (written
 * before kvflow recorded schema versions) holding many logged models and model versions, so the
 * two index builds have a large list each. Reports the time and the peak RSS of the migrate
 * process: the builds stream a page at a time, so memory should not grow with the store.
 *
 * Seeding clones one logged model and one version (made through the store) under new ids with
 * raw KV writes, in commits of {@linkcode SEED_COMMIT_KEYS}: creating them through the API would
 * take most of the budget.
 *
 * @module
 */
import { createKvStore } from "../../store/kv/mod.ts";
import {
  loggedModelByExperimentKey,
  loggedModelKey,
  modelVersionKey,
  modelVersionsPrefix,
} from "../../store/kv/keys.ts";
import type { ModelVersionRecord } from "../../store/registry/records.ts";
import { toVersionOne } from "../helpers/schema_layouts.ts";
import { REPO_ROOT } from "../server_helpers.ts";
import { sampleMemory } from "./artifacts.ts";
import { BenchError, type Result } from "./common.ts";

/** Sizes of the `migrate` section. */
export interface MigrateSizes {
  /** Logged models with a source run (the `logged_models_by_run` build's list). */
  models: number;
  /** Versions registered from `models:/<id>` (the `model_versions_by_source_model` build's). */
  versions: number;
}

/** Full size: 100k of each, ~1 minute with the seeding. */
export const FULL_MIGRATE: MigrateSizes = { models: 100_000, versions: 100_000 };
/** `--quick`: 10k of each. */
export const QUICK_MIGRATE: MigrateSizes = { models: 10_000, versions: 10_000 };

/** Keys per seeding commit (under every commit limit for these small records). */
const SEED_COMMIT_KEYS = 400;

/** Writes a version-1 store at `path` with `sizes` logged models and versions. */
export async function seed(path: string, sizes: MigrateSizes): Promise<void> {
  const kv = await Deno.openKv(path);
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  try {
    const exp = await store.createExperiment({ name: "migrate-bench" });
    const run = (await store.createRun({ experimentId: exp })).info.run_id;
    const lm = (await store.createLoggedModel({ experimentId: exp, sourceRunId: run })).info;
    await store.createRegisteredModel({ name: "migrate-bench" });
    await store.createModelVersion({ name: "migrate-bench", source: `models:/${lm.model_id}` });
    const model = (await kv.get<Record<string, unknown>>(loggedModelKey(lm.model_id))).value!;
    let version: Deno.KvEntry<ModelVersionRecord> | undefined;
    for await (const e of kv.list<ModelVersionRecord>({ prefix: modelVersionsPrefix() })) {
      version = e;
    }
    const rmId = version!.key[1] as string;
    const idOf = (i: number) => `m-${i.toString(16).padStart(32, "0")}`;
    let op = kv.atomic();
    let n = 0;
    const put = async (key: Deno.KvKey, value: unknown) => {
      op.set(key, value);
      if (++n % SEED_COMMIT_KEYS === 0) {
        await op.commit();
        op = kv.atomic();
      }
    };
    for (let i = 0; i < sizes.models; i++) {
      const id = idOf(i);
      await put(loggedModelByExperimentKey(exp, lm.creation_timestamp_ms + i, id), id);
      await put(loggedModelKey(id), { ...model, model_id: id });
    }
    for (let v = 2; v < sizes.versions + 2; v++) {
      await put(modelVersionKey(rmId, v), {
        ...version!.value,
        version: v,
        source: `models:/${idOf(v % sizes.models)}`,
      });
    }
    await op.commit();
    await toVersionOne(kv);
  } finally {
    await store.stopBackgroundWork();
    kv.close();
  }
}

/** Seeds a version-1 store, then times `deno task migrate` on it with its peak RSS. */
export async function benchMigrate(sizes: MigrateSizes): Promise<Result[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-migrate-" });
  try {
    const path = `${dir}/mlruns.kv`;
    await seed(path, sizes);
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "migrate", "--backend-store-uri", path],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const memory = await sampleMemory(child.pid);
    const out = await child.output();
    const seconds = (performance.now() - started) / 1000;
    const { sampled } = await memory.stop();
    const stdout = new TextDecoder().decode(out.stdout);
    if (!out.success || !/schema version 1 → \d+/.test(stdout)) {
      throw new BenchError(`deno task migrate failed: ${stdout}`);
    }
    const what = `${sizes.models / 1000}k logged models + ${sizes.versions / 1000}k versions`;
    return [{
      bench: "migrate",
      label: `deno task migrate, version 1 → current, ${what}`,
      value: seconds,
      unit: "s",
      goal: "max",
    }, {
      bench: "migrate",
      label: `peak RSS of deno task migrate, ${what}`,
      value: sampled,
      unit: "MB",
      goal: "max",
      note: "VmRSS sampled every 100 ms",
    }];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
