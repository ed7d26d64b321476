/**
 * What the parts of one import (store/ops/import.ts drives them) share: the target store, the
 * options, the result being built (counts, warnings, changed ids), the clock, and the ids.
 *
 * @module
 */
import type { ArtifactRepository } from "../../artifacts/types.ts";
import type { AuthStore } from "../auth/types.ts";
import type { SettableClock } from "../clock.ts";
import { type ErrorCode, MlflowError } from "../errors.ts";
import type { TrackingStore } from "../types.ts";
import type { ImportWarning } from "./export_format.ts";
import { ImportIds, type RemappedIds } from "./_import_ids.ts";

/** Options of `importRecords`. */
export interface ImportOptions {
  /** Directory holding artifacts in the proxy layout (<exp>/<run>/artifacts/…, <exp>/models/<id>/artifacts/…); copied into `artifacts`. */
  artifactsDir?: string;
  artifacts?: ArtifactRepository;
  /** The auth store, for user and grant records; without it they are skipped with a warning. */
  authStore?: AuthStore;
  onProgress?: (line: string) => void;
  /**
   * The clock the store was opened with (`now: clock.now`): pinned to each recorded time before
   * the write that records it. Without it, times the store stamps itself (deletions, stage
   * changes, finalizes, registry times) are the import's.
   */
  clock?: SettableClock;
  /** Where `artifactsDir` is read from; default a local repository over it (tests pass others). */
  artifactsSource?: ArtifactRepository;
  /**
   * Copy a record's `artifact_source` directory into `artifacts` (the MLflow readers check it
   * lies inside the store or `--artifacts`). Off for export files: a file could name any path.
   */
  trustArtifactSources?: boolean;
}

/** What `importRecords` did. */
export interface ImportResult {
  /** old id → new id, only for ids that changed. */
  remapped: RemappedIds;
  counts: Record<string, number>;
  warnings: ImportWarning[];
}

/** Most warnings kept in a result; past it they are counted in one last warning. */
export const MAX_IMPORT_WARNINGS = 1000;
/** Params, tags, dataset inputs or model ids written per store call (the store's batch limit). */
export const IMPORT_BATCH_ITEMS = 100;

/** `items` in runs of at most `size`, one store call each. */
export function chunks<T>(items: readonly T[], size = IMPORT_BATCH_ITEMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One import's shared state; its parts write through `store` and report here. */
export class ImportContext {
  readonly result: ImportResult = {
    remapped: {
      experiments: new Map(),
      runs: new Map(),
      logged_models: new Map(),
      registered_models: new Map(),
    },
    counts: {
      experiments: 0,
      runs: 0,
      metric_points: 0,
      logged_models: 0,
      registered_models: 0,
      model_versions: 0,
      users: 0,
      grants: 0,
    },
    warnings: [],
  };
  readonly ids: ImportIds;
  #dropped = 0;

  constructor(readonly store: TrackingStore, readonly opts: ImportOptions) {
    this.ids = new ImportIds(store, this.result.remapped);
  }

  /** Adds a warning, or counts it once {@linkcode MAX_IMPORT_WARNINGS} are kept. */
  warn(subject: string, message: string): void {
    if (this.result.warnings.length < MAX_IMPORT_WARNINGS) {
      this.result.warnings.push({ subject, message });
    } else this.#dropped++;
  }

  /**
   * `p`'s value; when it fails with an {@linkcode MlflowError} (of `code`, when given), null and
   * a warning on `subject` saying `message(err.message)`. Any other failure is thrown.
   */
  async orWarn<T>(
    subject: string,
    message: (reason: string) => string,
    p: Promise<T>,
    code?: ErrorCode,
  ): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (!(err instanceof MlflowError) || (code !== undefined && err.code !== code)) throw err;
      this.warn(subject, message(err.message));
      return null;
    }
  }

  /** Pins the store's clock to `t` for the next writes; undefined lets it run again. */
  at(t: number | undefined): void {
    this.opts.clock?.set(t);
  }

  /** Reports a progress line. */
  progress(line: string): void {
    this.opts.onProgress?.(line);
  }

  /** Adds `n` to the count `what`. */
  count(what: string, n = 1): void {
    this.result.counts[what] = (this.result.counts[what] ?? 0) + n;
  }

  /** The result, with a last warning counting those left out. */
  finish(): ImportResult {
    if (this.#dropped > 0) {
      this.result.warnings.push({
        subject: "import",
        message: `${this.#dropped} more warnings were left out`,
      });
    }
    return this.result;
  }
}
