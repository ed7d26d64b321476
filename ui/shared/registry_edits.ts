/**
 * What the registry's edits do to what a page shows, computed locally from the request (the
 * server replies with less, or nothing): an alias set on another version moves, a stage
 * transition with "archive existing versions" archives the others in that stage, a deleted
 * version takes its aliases with it. Pure functions; no I/O.
 *
 * @module
 */
import type { ModelVersionStage, RegisteredModelAlias } from "../../store/registry/types.ts";

/**
 * The aliases after `alias` is set on `version`, and the version it moved from (null when it is
 * new or was already there).
 *
 * @example
 * ```ts
 * setAlias([{ alias: "champion", version: "1" }], "champion", "2");
 * // { aliases: [{ alias: "champion", version: "2" }], movedFrom: "1" }
 * ```
 */
export function setAlias(
  aliases: RegisteredModelAlias[],
  alias: string,
  version: string,
): { aliases: RegisteredModelAlias[]; movedFrom: string | null } {
  const old = aliases.find((a) => a.alias === alias);
  const rest = aliases.filter((a) => a.alias !== alias);
  const next = [...rest, { alias, version }].sort((a, b) => a.alias.localeCompare(b.alias));
  return { aliases: next, movedFrom: old && old.version !== version ? old.version : null };
}

/** The aliases without `alias`. */
export function dropAlias(aliases: RegisteredModelAlias[], alias: string): RegisteredModelAlias[] {
  return aliases.filter((a) => a.alias !== alias);
}

/** The aliases without those pointing at a deleted `version` (the server drops them too). */
export function dropVersionAliases(
  aliases: RegisteredModelAlias[],
  version: string,
): RegisteredModelAlias[] {
  return aliases.filter((a) => a.version !== version);
}

/** Stages whose other versions "archive existing versions" moves to Archived (as MLflow). */
export const ARCHIVING_STAGES: readonly ModelVersionStage[] = ["Staging", "Production"];

/**
 * The versions after `version` moves to `stage`; with `archiveExisting` (Staging or
 * Production only), every other version in that stage becomes Archived, as the server does.
 *
 * @example
 * ```ts
 * transition([{ version: "1", current_stage: "Production" }, { version: "2", current_stage: "None" }],
 *   "2", "Production", true);
 * // v1 Archived, v2 Production
 * ```
 */
export function transition<V extends { version: string; current_stage: ModelVersionStage }>(
  versions: V[],
  version: string,
  stage: ModelVersionStage,
  archiveExisting: boolean,
): V[] {
  const archive = archiveExisting && ARCHIVING_STAGES.includes(stage);
  return versions.map((v) => {
    if (v.version === version) return { ...v, current_stage: stage };
    if (archive && v.current_stage === stage) return { ...v, current_stage: "Archived" };
    return v;
  });
}
