/**
 * `deno task migrate` and the server's start on stores of other schema versions, as processes:
 * an old-layout copy of the schema fixture is reported (dry run), migrated, then reported up to
 * date; a store of a newer version makes `deno task start` exit 1 with a message naming both
 * versions, and an older one is migrated by the server itself before it listens.
 *
 * @module
 */
import assert from "node:assert/strict";
import { schemaVersionKey } from "../store/kv/keys.ts";
import { SCHEMA_VERSION } from "../store/kv/migrations.ts";
import { copyToTemp } from "./helpers/kv_dump.ts";
import { toVersionOne } from "./helpers/schema_layouts.ts";
import { runDeno, runMain } from "./helpers/cli.ts";
import { startServer } from "./server_helpers.ts";

const FIXTURE = new URL("./fixtures/schema-v5.kv", import.meta.url);

/** A copy of the schema fixture at version 1 (no version key, nothing built). */
async function versionOneCopy(): Promise<{ path: string; dir: string }> {
  const copy = await copyToTemp(FIXTURE);
  const kv = await Deno.openKv(copy.path);
  await toVersionOne(kv);
  kv.close();
  return copy;
}

async function versionOf(path: string): Promise<unknown> {
  const kv = await Deno.openKv(path);
  try {
    return (await kv.get(schemaVersionKey())).value;
  } finally {
    kv.close();
  }
}

Deno.test("deno task migrate: reports, migrates an old-layout store, then finds nothing to do", async () => {
  const { path, dir } = await versionOneCopy();
  try {
    const migrate = (...flags: string[]) =>
      runMain(["migrate", "--backend-store-uri", path, ...flags]);
    const dry = await migrate("--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /schema version: 1 \(no version recorded/);
    assert.match(dry.stdout, new RegExp(`this kvflow: ${SCHEMA_VERSION}`));
    assert.match(dry.stdout, /pending migrations: 4\n {2}2 experiment_lifecycles/);
    assert.equal(await versionOf(path), null, "a dry run writes nothing");

    const first = await migrate();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`schema version 1 → ${SCHEMA_VERSION} \\(ran `));
    assert.match(
      first.stderr,
      /kvflow migrate: migration 4 \(logged_models_by_run\): 1 logged models/,
    );
    assert.equal(await versionOf(path), SCHEMA_VERSION);

    const second = await migrate();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), `schema version ${SCHEMA_VERSION}: up to date`);
    assert.equal(second.stderr, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task start: a store of a newer schema version exits 1 with a clear message; migrate refuses it too", async () => {
  const { path, dir } = await copyToTemp(FIXTURE);
  try {
    const kv = await Deno.openKv(path);
    await kv.set(schemaVersionKey(), SCHEMA_VERSION + 1);
    kv.close();
    const start = await runDeno([
      "task",
      "start",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--backend-store-uri",
      path,
    ]);
    assert.equal(start.code, 1, start.stdout + start.stderr);
    assert.ok(
      start.stderr.includes(
        `kvflow: the database at ${path} has schema version ${SCHEMA_VERSION + 1}; ` +
          `this kvflow knows up to ${SCHEMA_VERSION}: upgrade kvflow`,
      ),
      start.stderr,
    );
    assert.doesNotMatch(start.stdout, /listening/);
    const migrate = await runMain(["migrate", "--backend-store-uri", path]);
    assert.equal(migrate.code, 1);
    assert.match(migrate.stderr, /kvflow migrate: the database at .* has schema version \d+; this/);
    assert.equal(await versionOf(path), SCHEMA_VERSION + 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task start: the server migrates an older store before it listens", async () => {
  const { path, dir } = await versionOneCopy();
  try {
    {
      await using server = await startServer({ kvPath: path });
      const res = await fetch(
        `${server.url}/api/2.0/mlflow/registered-models/get?name=fixture-model`,
      );
      assert.equal(res.status, 200);
      assert.equal((await res.json()).registered_model.aliases[0].alias, "champion");
    }
    assert.equal(await versionOf(path), SCHEMA_VERSION);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
