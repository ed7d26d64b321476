/**
 * Schema versions and migrations (`store/kv/schema.ts`): a newer store is refused, an empty one
 * stamped, an older one migrated; a migration killed midway goes on from its saved cursor to the
 * same result as an uninterrupted run; a second run does nothing; two processes migrating one
 * database at once agree.
 *
 * @module
 */
import assert from "node:assert/strict";
import { LOCAL_KV_COMMIT_LIMITS } from "../store/kv/commit_limits.ts";
import {
  experimentLifecyclesKey,
  loggedModelsByRunBuiltKey,
  migrationProgressKey,
  modelVersionsBySourceModelBuiltKey,
  pendingBatchCountKey,
  schemaVersionKey,
  stagingKey,
} from "../store/kv/keys.ts";
import type { MigrationProgress } from "../store/kv/migration_step.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../store/kv/migrations.ts";
import { createKvStore, SchemaTooNewError } from "../store/kv/mod.ts";
import { migrate, type MigrateOptions, schemaStatus } from "../store/kv/schema.ts";
import { countingKv, newCounts } from "./helpers/counting_kv.ts";
import { dumpKv } from "./helpers/kv_dump.ts";
import { toVersionOne } from "./helpers/schema_layouts.ts";

const LOGGED_MODELS = 23;
const VERSIONS = 11;
/** Small pages, so a migration takes several commits. */
const PAGE = 4;

async function tempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A version-1 store at `path` with enough logged models and versions for several pages. */
async function legacyStore(path: string): Promise<void> {
  const kv = await Deno.openKv(path);
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  try {
    const exp = await store.createExperiment({ name: "e" });
    await store.deleteExperiment(await store.createExperiment({ name: "deleted" }));
    const run = (await store.createRun({ experimentId: exp })).info.run_id;
    const models: string[] = [];
    for (let i = 0; i < LOGGED_MODELS; i++) {
      models.push(
        (await store.createLoggedModel({ experimentId: exp, sourceRunId: run })).info.model_id,
      );
    }
    await store.createRegisteredModel({ name: "rm" });
    for (let i = 0; i < VERSIONS; i++) {
      await store.createModelVersion({ name: "rm", source: `models:/${models[i]}` });
    }
    await toVersionOne(kv);
  } finally {
    await store.stopBackgroundWork();
    kv.close();
  }
}

const opts = (more: Partial<MigrateOptions> = {}): MigrateOptions => ({
  limits: LOCAL_KV_COMMIT_LIMITS,
  pageKeys: PAGE,
  ...more,
});

/** `kv`, recording the number of mutations of every commit made through it in `sizes`. */
function countingMutations(kv: Deno.Kv, sizes: number[]): Deno.Kv {
  const bound = (o: object, p: string | symbol) => {
    const v = Reflect.get(o, p, o);
    return typeof v === "function" ? v.bind(o) : v;
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") return bound(target, prop);
      return () => {
        const op = target.atomic();
        let n = 0;
        const counted: Deno.AtomicOperation = new Proxy(op, {
          get(o, p) {
            const v = bound(o, p);
            if (typeof v !== "function") return v;
            if (p === "commit") return () => (sizes.push(n), o.commit());
            return (...args: unknown[]) => {
              if (p === "set" || p === "delete" || p === "sum") n++;
              const r = v(...args);
              return r === o ? counted : r;
            };
          },
        });
        return counted;
      };
    },
  });
}

/** Migrates a copy of `path` without interruption; returns its dump and commit count. */
async function uninterrupted(path: string, dir: string) {
  const copy = `${dir}/uninterrupted.kv`;
  await Deno.copyFile(path, copy);
  const kv = await Deno.openKv(copy);
  let commits = 0;
  try {
    await migrate(kv, opts({ afterCommit: () => void commits++ }));
    return { dump: await dumpKv(kv), commits };
  } finally {
    kv.close();
  }
}

Deno.test("schema: migrations are versions 2, 3, … in order, and the current version is the last", () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 2));
  assert.equal(SCHEMA_VERSION, MIGRATIONS.length + 1);
  assert.equal(new Set(MIGRATIONS.map((m) => m.id)).size, MIGRATIONS.length);
});

Deno.test("schema: a store of a newer version is refused at open and by migrate, and left alone", async () => {
  await tempDir(async (dir) => {
    const kv = await Deno.openKv(`${dir}/db.kv`);
    try {
      await kv.set(schemaVersionKey(), SCHEMA_VERSION + 1);
      await kv.set(["experiments", "7"], { marker: true });
      // A staging long abandoned, which a sweep at open would delete: not in a refused store.
      await kv.set(stagingKey("b-1"), { runId: "r-1", createdAt: 0 });
      const before = await dumpKv(kv);
      const refused = (e: unknown) => {
        assert.ok(e instanceof SchemaTooNewError);
        assert.equal(e.found, SCHEMA_VERSION + 1);
        assert.match(
          e.message,
          new RegExp(
            `schema version ${SCHEMA_VERSION + 1}; this kvflow knows up to ` +
              `${SCHEMA_VERSION}: upgrade kvflow`,
          ),
        );
        return true;
      };
      await assert.rejects(createKvStore(kv, { stagingSweepIntervalMs: 0 }), refused);
      await assert.rejects(migrate(kv, opts()), refused);
      const status = await schemaStatus(kv);
      assert.equal(status.version, SCHEMA_VERSION + 1);
      assert.deepEqual(status.pending, []);
      assert.deepEqual(await dumpKv(kv), before, "nothing was written");
    } finally {
      kv.close();
    }
  });
});

Deno.test("schema: an empty database is stamped current at first open, by one of two opening together", async () => {
  await tempDir(async (dir) => {
    const a = await Deno.openKv(`${dir}/db.kv`);
    const b = await Deno.openKv(`${dir}/db.kv`);
    try {
      const stores = await Promise.all(
        [a, b].map((kv) => createKvStore(kv, { stagingSweepIntervalMs: 0 })),
      );
      for (const s of stores) await s.stopBackgroundWork();
      assert.equal((await a.get(schemaVersionKey())).value, SCHEMA_VERSION);
      // What each migration would have built on an empty store, there from the start.
      assert.deepEqual((await a.get(experimentLifecyclesKey())).value, { exps: {} });
      assert.equal((await a.get<Deno.KvU64>(pendingBatchCountKey())).value?.value, 0n);
      assert.equal((await a.get(loggedModelsByRunBuiltKey())).value, true);
      assert.equal((await a.get(modelVersionsBySourceModelBuiltKey())).value, true);
      const status = await schemaStatus(a);
      assert.deepEqual([status.recorded, status.pending], [SCHEMA_VERSION, []]);
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("schema: a store without a version is at version 1, and opening it migrates it", async () => {
  await tempDir(async (dir) => {
    const path = `${dir}/db.kv`;
    await legacyStore(path);
    const kv = await Deno.openKv(path);
    try {
      const status = await schemaStatus(kv);
      assert.deepEqual([status.recorded, status.version], [null, 1]);
      assert.deepEqual(status.pending.map((m) => m.version), [2, 3, 4, 5]);
      const lines: string[] = [];
      const store = await createKvStore(kv, {
        stagingSweepIntervalMs: 0,
        onMigrationProgress: (l) => lines.push(l),
      });
      await store.stopBackgroundWork();
      assert.equal((await kv.get(schemaVersionKey())).value, SCHEMA_VERSION);
      assert.ok(lines.some((l) => l.includes(`${LOGGED_MODELS} logged models`)), lines.join("\n"));
      assert.equal((await kv.get(migrationProgressKey())).versionstamp, null);
    } finally {
      kv.close();
    }
  });
});

Deno.test("schema: a migration killed midway goes on from its cursor to the uninterrupted result", async () => {
  await tempDir(async (dir) => {
    const path = `${dir}/db.kv`;
    await legacyStore(path);
    const want = await uninterrupted(path, dir);
    // Migrations 2 and 3 (one bump each), then pages of logged models: stopped inside migration 4.
    const killAfter = 4;
    const kv = await Deno.openKv(path);
    try {
      let commits = 0;
      await assert.rejects(
        migrate(
          kv,
          opts({
            afterCommit: () => {
              if (++commits === killAfter) throw new Error("killed");
            },
          }),
        ),
        /killed/,
      );
      assert.equal((await kv.get(schemaVersionKey())).value, 3);
      const marker = await kv.get<MigrationProgress>(migrationProgressKey());
      assert.equal(marker.value?.id, "logged_models_by_run");
      assert.equal(marker.value?.done, 2 * PAGE);
      const status = await schemaStatus(kv);
      assert.deepEqual(status.resume, marker.value);

      let again = 0;
      const lines: string[] = [];
      const result = await migrate(
        kv,
        opts({ afterCommit: () => void again++, onProgress: (l) => lines.push(l) }),
      );
      assert.deepEqual(result.applied, ["logged_models_by_run", "model_versions_by_source_model"]);
      assert.ok(lines.some((l) => l.includes(`going on after ${2 * PAGE}`)), lines.join("\n"));
      // The pages before the kill were not written again.
      assert.equal(killAfter + again, want.commits);
      assert.deepEqual(await dumpKv(kv), want.dump);
    } finally {
      kv.close();
    }
  });
});

Deno.test("schema: running migrate again on a current store writes nothing", async () => {
  await tempDir(async (dir) => {
    const path = `${dir}/db.kv`;
    await legacyStore(path);
    const kv = await Deno.openKv(path);
    try {
      const first = await migrate(kv, opts());
      assert.deepEqual([first.from, first.to, first.applied.length], [1, SCHEMA_VERSION, 4]);
      const before = await dumpKv(kv);
      let commits = 0;
      const second = await migrate(kv, opts({ afterCommit: () => void commits++ }));
      assert.deepEqual(second, { from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      assert.equal(commits, 0);
      assert.deepEqual(await dumpKv(kv), before);
    } finally {
      kv.close();
    }
  });
});

Deno.test("schema: two processes migrating one database at once agree on the result", async () => {
  await tempDir(async (dir) => {
    const path = `${dir}/db.kv`;
    await legacyStore(path);
    const want = await uninterrupted(path, dir);
    const a = await Deno.openKv(path);
    const b = await Deno.openKv(path);
    try {
      const results = await Promise.all([
        migrate(a, opts({ pageKeys: 3 })),
        migrate(b, opts({ pageKeys: 5 })),
      ]);
      for (const r of results) assert.equal(r.to, SCHEMA_VERSION);
      // Each migration was recorded once, by one of the two.
      assert.deepEqual(
        results.flatMap((r) => r.applied).sort(),
        MIGRATIONS.map((m) => m.id).sort(),
      );
      assert.deepEqual(await dumpKv(a), want.dump);
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("schema: a page with more entries than one commit holds is split within the limits", async () => {
  await tempDir(async (dir) => {
    const path = `${dir}/db.kv`;
    await legacyStore(path);
    const want = await uninterrupted(path, dir);
    const real = await Deno.openKv(path);
    const sizes: number[] = [];
    const kv = countingMutations(real, sizes);
    try {
      await migrate(
        kv,
        opts({
          pageKeys: 20,
          limits: { ...LOCAL_KV_COMMIT_LIMITS, mutations: 6 },
        }),
      );
      assert.ok(sizes.length > 0);
      assert.ok(Math.max(...sizes) <= 6, `commits of ${sizes.join(", ")} mutations`);
      assert.deepEqual(await dumpKv(real), want.dump);
    } finally {
      real.close();
    }
  });
});

Deno.test("schema: opening a current store reads its version with Default in one round trip", async () => {
  await tempDir(async (dir) => {
    const raw = await Deno.openKv(`${dir}/db.kv`);
    try {
      await (await createKvStore(raw, { stagingSweepIntervalMs: 0 })).stopBackgroundWork();
      const counts = newCounts();
      const cold = await createKvStore(countingKv(raw, counts), { stagingSweepIntervalMs: 0 });
      await cold.stopBackgroundWork();
      // One getMany (the version, Default and its name) beside the sweep's list of stagings.
      const gets = counts.log.filter((l) => l.startsWith("get"));
      assert.equal(gets.length, 1, counts.log.join("\n"));
      assert.ok(gets[0].includes(JSON.stringify(schemaVersionKey())), gets[0]);
      assert.equal(counts.reads, 2, counts.log.join("\n"));
      assert.equal(counts.commits, 0);
    } finally {
      raw.close();
    }
  });
});
