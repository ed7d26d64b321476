/**
 * `deno task migrate` (MLflow's `mlflow db upgrade`): shows where a KV store's schema stands and
 * runs its pending migrations (`store/kv/schema.ts`). Works on the raw database, so it can look
 * at (and report on) a store the server refuses to open.
 *
 * @module
 */
import type { CommitLimits } from "../kv/commit_limits.ts";
import { migrate, type MigrateResult, schemaStatus, SchemaTooNewError } from "../kv/schema.ts";
import type { SchemaStatus } from "../kv/schema.ts";

/** Options of {@linkcode runMigrate}. */
export interface RunMigrateOptions {
  /** The backend's commit limits (`commitLimitsFor`). */
  limits: Readonly<CommitLimits>;
  /** Only report: current version, code version and pending migrations; writes nothing. */
  dryRun?: boolean;
  /** The database, as the messages name it (its path or URL). */
  where: string;
  /** Where results go (stdout in the CLI). */
  out: (line: string) => void;
  /** Where progress and the refusal of a newer store go (stderr in the CLI). */
  progress: (line: string) => void;
}

/** The report of `migrate --dry-run`, one line each. */
export function describeStatus(status: SchemaStatus): string[] {
  const lines = [
    `schema version: ${status.version}` +
    (status.recorded === null
      ? status.version === status.code
        ? " (empty database; stamped at first open)"
        : " (no version recorded: written before kvflow recorded versions)"
      : ""),
    `this kvflow: ${status.code}`,
  ];
  if (status.version > status.code) {
    lines.push("the database is newer than this kvflow: upgrade kvflow");
  } else if (status.pending.length === 0) lines.push("pending migrations: none");
  else {
    lines.push(`pending migrations: ${status.pending.length}`);
    for (const m of status.pending) lines.push(`  ${m.version} ${m.id}: ${m.summary}`);
    if (status.resume) {
      lines.push(
        `  (${status.resume.id} goes on after ${status.resume.done} done by a run that stopped)`,
      );
    }
  }
  return lines;
}

/**
 * Reports the schema (dry run), or runs the pending migrations and reports what it did.
 *
 * @returns the exit code: 0, or 1 when the database is newer than this code (reported, not
 *   thrown).
 */
export async function runMigrate(kv: Deno.Kv, opts: RunMigrateOptions): Promise<number> {
  if (opts.dryRun) {
    const status = await schemaStatus(kv);
    opts.out(`database: ${opts.where}`);
    for (const line of describeStatus(status)) opts.out(line);
    return status.version > status.code ? 1 : 0;
  }
  let result: MigrateResult;
  try {
    result = await migrate(kv, { limits: opts.limits, onProgress: opts.progress });
  } catch (err) {
    if (!(err instanceof SchemaTooNewError)) throw err;
    opts.progress(`the database at ${opts.where} ${err.message}`);
    return 1;
  }
  opts.out(
    result.from === result.to
      ? `schema version ${result.to}: up to date`
      : `schema version ${result.from} → ${result.to}` +
        (result.applied.length ? ` (ran ${result.applied.join(", ")})` : ""),
  );
  return 0;
}
