/**
 * The store's schema version and the runner of its migrations (`migrations.ts`).
 *
 * The version lives in one key. An empty database is stamped with the current version by the
 * first open (a commit that checks the key is still absent, so isolates opening together agree);
 * a database with data and no key is at version 1. A store at a newer version than this code
 * knows is refused ({@linkcode SchemaTooNewError}): this code would not maintain what the newer
 * one added. An older store is brought up to date by {@linkcode migrate}, which `createKvStore`
 * runs at open and `deno task migrate` runs on demand.
 *
 * Migrations are safe to re-run and to run from several processes at once: each writes only
 * idempotent entries, saves its progress (list cursor) in the same commits, and the version moves
 * on in a commit that checks the version it read.
 *
 * @module
 */
import type { CommitLimits } from "./commit_limits.ts";
import { migrationProgressKey, schemaVersionKey } from "./keys.ts";
import {
  MIGRATION_PAGE_KEYS,
  type MigrationProgress,
  type MigrationStep,
} from "./migration_step.ts";
import { type Migration, MIGRATIONS, SCHEMA_VERSION, UNVERSIONED_SCHEMA } from "./migrations.ts";
import { estimateSize, type Mutation } from "./mutations.ts";
import { batchedReads } from "./read_batcher.ts";
import { RETRY, withRetry } from "./retry.ts";

/** A store written by a newer kvflow than this one: opening it is refused. */
export class SchemaTooNewError extends Error {
  /**
   * @param found the store's schema version
   * @param known the newest version this code knows ({@linkcode SCHEMA_VERSION})
   */
  constructor(readonly found: number, readonly known: number = SCHEMA_VERSION) {
    super(
      `has schema version ${found}; this kvflow knows up to ${known}: upgrade kvflow ` +
        `(a newer kvflow wrote to it, and this one would not keep the keys that one relies on)`,
    );
    this.name = "SchemaTooNewError";
  }
}

/** Where a store's schema stands, for `deno task migrate --dry-run`. */
export interface SchemaStatus {
  /** The recorded version; `null` when the key is absent. */
  recorded: number | null;
  /** The version the store is at: the recorded one, 1 without one, current when empty. */
  version: number;
  /** The version this code knows ({@linkcode SCHEMA_VERSION}). */
  code: number;
  /** Migrations still to run, in order (none when the store is newer). */
  pending: Migration[];
  /** Where a killed run of the first pending migration stopped, if one did. */
  resume?: MigrationProgress;
}

/** Options of {@linkcode migrate}. */
export interface MigrateOptions {
  /** The backend's commit limits (`commitLimitsFor`). */
  limits: Readonly<CommitLimits>;
  /** Progress lines (stderr in the CLI). */
  onProgress?: (message: string) => void;
  /** Source keys per page; default {@linkcode MIGRATION_PAGE_KEYS} (tests use fewer). */
  pageKeys?: number;
  /**
   * Called after every commit a migration makes (tests throw from it to stop a run midway, as a
   * kill would).
   */
  afterCommit?: () => void;
}

/** What {@linkcode migrate} did. */
export interface MigrateResult {
  /** The version found (1 for a store without one). */
  from: number;
  /** The version the store is at now. */
  to: number;
  /** Ids of the migrations this call ran to the end (another process may have run others). */
  applied: string[];
}

function versionOf(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return value;
  throw new Error(`the schema version key holds ${JSON.stringify(value)}, not a version number`);
}

async function isEmpty(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: [] }, { limit: 1 })) return false;
  return true;
}

/**
 * The version a store is at, stamping an empty database with the current one. Also returns the
 * entry read, for a checked bump.
 */
async function currentVersion(
  kv: Deno.Kv,
): Promise<{ entry: Deno.KvEntryMaybe<unknown>; version: number }> {
  return await withRetry("read the schema version", async () => {
    const entry = await kv.get(schemaVersionKey());
    const recorded = versionOf(entry.value);
    if (recorded !== null) return { entry, version: recorded };
    if (!(await isEmpty(kv))) return { entry, version: UNVERSIONED_SCHEMA };
    // With what an empty store at this version starts with (each migration's initial keys): at
    // most a few keys, far inside one commit.
    const op = withMutations(kv.atomic(), MIGRATIONS.flatMap((m) => m.initial()));
    const res = await op.check(entry).set(schemaVersionKey(), SCHEMA_VERSION).commit();
    return res.ok ? { entry: await kv.get(schemaVersionKey()), version: SCHEMA_VERSION } : RETRY;
  });
}

/** Where the store's schema stands; writes nothing (an empty database reads as current). */
export async function schemaStatus(kv: Deno.Kv): Promise<SchemaStatus> {
  const [entry, marker] = await kv.getMany<[unknown, MigrationProgress]>([
    schemaVersionKey(),
    migrationProgressKey(),
  ]);
  const recorded = versionOf(entry.value);
  const version = recorded ??
    (await isEmpty(kv) ? SCHEMA_VERSION : UNVERSIONED_SCHEMA);
  const pending = MIGRATIONS.filter((m) => m.version > version);
  const resume = marker.value && marker.value.id === pending[0]?.id ? marker.value : undefined;
  return { recorded, version, code: SCHEMA_VERSION, pending, ...(resume ? { resume } : {}) };
}

/**
 * Splits `mutations` into commits within `limits`, each leaving room for two more mutations and
 * `reserve` bytes: the progress marker, or the version bump and the marker's deletion.
 */
function commitGroups(
  mutations: Mutation[],
  limits: Readonly<CommitLimits>,
  reserve: number,
): Mutation[][] {
  const groups: Mutation[][] = [[]];
  let count = 0, bytes = 0, keys = 0;
  for (const m of mutations) {
    const k = estimateSize(m.key);
    const b = k + estimateSize(m.value);
    if (
      groups.at(-1)!.length > 0 &&
      (count + 1 > limits.mutations - 2 || bytes + b > limits.bytes - reserve ||
        keys + k > limits.keyBytes - reserve)
    ) {
      groups.push([]);
      count = bytes = keys = 0;
    }
    groups.at(-1)!.push(m);
    count++, bytes += b, keys += k;
  }
  return groups;
}

function withMutations(op: Deno.AtomicOperation, mutations: Mutation[]): Deno.AtomicOperation {
  for (const m of mutations) {
    if (m.value === undefined) op.delete(m.key);
    else op.set(m.key, m.value);
  }
  return op;
}

/** Progress markers and version bumps are tiny; this is their room in a commit. */
const RESERVED_BYTES = 1024;

/**
 * Runs every pending migration, in order, then returns. Safe to run again (a store at the
 * current version does nothing: one read) and from several processes at once.
 *
 * @throws {SchemaTooNewError} when the store is newer than this code.
 */
export async function migrate(kv: Deno.Kv, opts: MigrateOptions): Promise<MigrateResult> {
  const progress = opts.onProgress ?? (() => {});
  const pageKeys = Math.max(1, opts.pageKeys ?? MIGRATION_PAGE_KEYS);
  const committed = () => opts.afterCommit?.();
  const commit = (what: string, build: () => Deno.AtomicOperation) =>
    withRetry(what, async () => (await build().commit()).ok);
  const first = await currentVersion(kv);
  if (first.version > SCHEMA_VERSION) throw new SchemaTooNewError(first.version);
  const applied: string[] = [];
  let at = first;
  for (;;) {
    const next = MIGRATIONS.find((m) => m.version > at.version);
    if (next === undefined) break;
    const marker = await kv.get<MigrationProgress>(migrationProgressKey());
    const resume = marker.value?.id === next.id ? marker.value : undefined;
    progress(
      `migration ${next.version} (${next.id}): ${next.summary}` +
        (resume ? `; going on after ${resume.done} done by an earlier run` : ""),
    );
    const step: MigrationStep = {
      kv,
      limits: opts.limits,
      pageKeys,
      resume,
      progress: (message) => progress(`migration ${next.version} (${next.id}): ${message}`),
      writePage: async (mutations, cursor, done) => {
        const groups = commitGroups(mutations, opts.limits, RESERVED_BYTES);
        for (const [i, group] of groups.entries()) {
          await commit(`write migration ${next.id}`, () => {
            const op = withMutations(kv.atomic(), group);
            if (i === groups.length - 1) {
              op.set(migrationProgressKey(), { id: next.id, cursor, done });
            }
            return op;
          });
          committed();
        }
      },
    };
    const final = commitGroups(await next.run(step), opts.limits, RESERVED_BYTES);
    const last = final.pop()!;
    for (const group of final) {
      await commit(`finish migration ${next.id}`, () => withMutations(kv.atomic(), group));
      committed();
    }
    // Checked: two processes running the same migration agree on one bump; the loser re-reads.
    const res = await withRetry(
      `record schema version ${next.version}`,
      () =>
        withMutations(kv.atomic(), last).check(at.entry)
          .set(schemaVersionKey(), next.version).delete(migrationProgressKey()).commit(),
    );
    committed();
    if (res.ok) {
      applied.push(next.id);
      progress(`schema version ${next.version}`);
    }
    at = await currentVersion(kv);
    if (at.version > SCHEMA_VERSION) throw new SchemaTooNewError(at.version);
  }
  // A process that lost a bump race may have saved progress of a migration already applied.
  const stale = await kv.get<MigrationProgress>(migrationProgressKey());
  if (stale.value) {
    await commit(
      "clear the migration marker",
      () => kv.atomic().check(stale).delete(migrationProgressKey()),
    );
  }
  return { from: first.version, to: at.version, applied };
}

/**
 * At open: one point read (shared with the store's other reads at open) when the store is
 * current; otherwise stamps an empty database or runs the pending migrations.
 *
 * @throws {SchemaTooNewError} when the store is newer than this code.
 */
export async function prepareSchema(kv: Deno.Kv, opts: MigrateOptions): Promise<void> {
  const version = versionOf((await batchedReads(kv).get(schemaVersionKey())).value);
  if (version === SCHEMA_VERSION) return;
  if (version !== null && version > SCHEMA_VERSION) throw new SchemaTooNewError(version);
  await migrate(kv, opts);
}
