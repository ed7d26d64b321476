/**
 * What a schema migration is given while it runs (see `migrations.ts` for the list and
 * `schema.ts` for the runner): the database, the backend's commit limits, where a killed run of
 * the same migration stopped, and a way to write a page of entries together with the marker that
 * says how far it got.
 *
 * @module
 */
import type { CommitLimits } from "./commit_limits.ts";
import type { Mutation } from "./mutations.ts";

/** Source keys a streaming migration reads per page (one list round trip) before it commits. */
export const MIGRATION_PAGE_KEYS = 200;

/** How far a migration got: saved in KV with the entries, so a killed run goes on from there. */
export interface MigrationProgress {
  /** The migration's id (`Migration.id`). */
  id: string;
  /** `kv.list` cursor after the last source key whose entries are written. */
  cursor: string;
  /** Source keys done so far, over every run of this migration. */
  done: number;
}

/** A running migration's view of the store. */
export interface MigrationStep {
  readonly kv: Deno.Kv;
  readonly limits: Readonly<CommitLimits>;
  /** Source keys per page, {@linkcode MIGRATION_PAGE_KEYS} unless a test asks for fewer. */
  readonly pageKeys: number;
  /** Where a killed run of this migration stopped, if one did. */
  readonly resume: MigrationProgress | undefined;
  /**
   * Writes `mutations` (idempotent: a page written twice is the same page) in commits within
   * the limits; the last also saves `{cursor, done}` as this migration's progress.
   */
  writePage(mutations: Mutation[], cursor: string, done: number): Promise<void>;
  /** Reports progress (stderr in the CLI). */
  progress(message: string): void;
}
