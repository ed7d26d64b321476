/**
 * Ids and names in an import (store/ops/import.ts): which are kept and which are taken in the
 * target, the new id or name of each taken one, and every reference rewritten to follow it (a
 * run's experiment, `mlflow.parentRunId`, model ids, versions' sources).
 *
 * @module
 */
import { type ErrorCode, MlflowError } from "../errors.ts";
import { newRunId } from "../ids.ts";
import type { TrackingStore } from "../types.ts";

/** Most suffixes tried for a taken name before the import gives up on the entity. */
export const MAX_NAME_SUFFIXES = 100;

/** Old id (or name) → new one, only for those that changed. */
export interface RemappedIds {
  experiments: Map<string, string>;
  runs: Map<string, string>;
  logged_models: Map<string, string>;
  registered_models: Map<string, string>;
}

/** An imported experiment: where it went and what is left to do at the end. */
export interface ImportedExperiment {
  id: string;
  oldLocation: string;
  location: string;
  /** Set when the experiment was created (not merged) and must end deleted. */
  deleteAt?: number;
}

/**
 * `p`'s value, or null when it fails with an {@linkcode MlflowError} of `code` (any other
 * failure is thrown).
 */
export async function nullIf<T>(code: ErrorCode, p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof MlflowError && e.code === code) return null;
    throw e;
  }
}

/** Whether the read `p` finds its entity (`RESOURCE_DOES_NOT_EXIST`: it does not). */
export async function exists(p: Promise<unknown>): Promise<boolean> {
  return await nullIf("RESOURCE_DOES_NOT_EXIST", p.then(() => true)) ?? false;
}

/**
 * `name` with the first free suffix, ` (imported)`, ` (imported 2)`, …
 *
 * @throws {MlflowError} `RESOURCE_ALREADY_EXISTS` when {@linkcode MAX_NAME_SUFFIXES} are taken.
 */
export async function freeName(
  name: string,
  taken: (n: string) => Promise<boolean>,
): Promise<string> {
  for (let i = 1; i <= MAX_NAME_SUFFIXES; i++) {
    const candidate = i === 1 ? `${name} (imported)` : `${name} (imported ${i})`;
    if (!await taken(candidate)) return candidate;
  }
  throw new MlflowError(
    "RESOURCE_ALREADY_EXISTS",
    `No free name for '${name}' after ${MAX_NAME_SUFFIXES} suffixes`,
  );
}

/** The ids of one import: kept or changed, and the references that follow them. */
export class ImportIds {
  /** Each imported experiment by its old id. */
  readonly experiments = new Map<string, ImportedExperiment>();
  /**
   * Runs that keep their id, decided when first named (by their record or a reference). Kept
   * after the run is written: a later reference (a child's `mlflow.parentRunId`, a model's
   * source run) would otherwise find the imported run in the target and remap it.
   */
  readonly #decided = new Set<string>();

  constructor(readonly store: TrackingStore, readonly remapped: RemappedIds) {}

  /** Records where experiment `oldId` went (created or merged). */
  experiment(oldId: string, id: string, oldLocation: string, location: string): void {
    this.experiments.set(oldId, { id, oldLocation, location });
    if (id !== oldId) this.remapped.experiments.set(oldId, id);
  }

  /** The target id of run `oldId`: kept unless the target holds it (decided once). */
  async runId(oldId: string): Promise<string> {
    const mapped = this.remapped.runs.get(oldId);
    if (mapped !== undefined) return mapped;
    if (this.#decided.has(oldId)) return oldId;
    if (await exists(this.store.getRun(oldId))) {
      const id = newRunId();
      this.remapped.runs.set(oldId, id);
      return id;
    }
    this.#decided.add(oldId);
    return oldId;
  }

  /**
   * Creates an entity with `create(id)`; when the id turns out taken, with a `fresh()` one,
   * recorded as the new id of `oldId`. Returns the id it was created with.
   */
  async create(
    kind: "runs" | "logged_models",
    oldId: string,
    id: string,
    create: (id: string) => Promise<unknown>,
    fresh: () => string,
  ): Promise<string> {
    try {
      await create(id);
      return id;
    } catch (err) {
      if (!(err instanceof MlflowError && err.code === "RESOURCE_ALREADY_EXISTS")) throw err;
    }
    const next = fresh();
    this.remapped[kind].set(oldId, next);
    await create(next);
    return next;
  }

  /** The experiment id for a reference, or the old id when the experiment was not imported. */
  experimentRef(oldId: string): string {
    return this.experiments.get(oldId)?.id ?? oldId;
  }

  /** The run id for a reference (a tag, a source), or the old id when the run was not imported. */
  runRef(oldId: string): string {
    return this.remapped.runs.get(oldId) ?? oldId;
  }

  /** The logged model id for a reference (a point, an input, a version). */
  modelRef(oldId: string): string {
    return this.remapped.logged_models.get(oldId) ?? oldId;
  }

  /** The registered model name for a reference (a grant). */
  registeredModelRef(oldName: string): string {
    return this.remapped.registered_models.get(oldName) ?? oldName;
  }

  /** A version's source with the run, model and experiment ids it names remapped. */
  source(source: string): string {
    let m = /^runs:\/\/?([^/]+)(.*)$/.exec(source);
    if (m) return `runs:/${this.runRef(m[1])}${m[2]}`;
    m = /^models:\/(m-[0-9a-f]{32})(.*)$/.exec(source);
    if (m) return `models:/${this.modelRef(m[1])}${m[2]}`;
    m = /^(mlflow-artifacts:\/+)([^/]+)\/([^/]+)\/([^/]+)(.*)$/.exec(source);
    if (m) {
      const exp = this.experimentRef(m[2]);
      if (m[3] === "models") return `${m[1]}${exp}/models/${this.modelRef(m[4])}${m[5]}`;
      return `${m[1]}${exp}/${this.runRef(m[3])}/${m[4]}${m[5]}`;
    }
    return source;
  }
}
