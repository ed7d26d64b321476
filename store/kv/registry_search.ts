/**
 * Registry searches on KV, and the sweep that removes a deleted model's keys.
 *
 * Registered models number in the thousands, so their search reads every record and tag (two
 * prefix scans), filters, orders and pages with the shared evaluator, then builds full entities
 * for the returned page only. Model-version search answers `run_id = …` / `run_id IN (…)` (what
 * the web UI asks on every run page) from the by-run index and `name = …` from the model's own
 * versions; anything else scans every version. Every candidate is then evaluated by the same
 * evaluator as the memory store, so both backends return the same pages.
 *
 * @module
 */
import type { ModelVersionRecord } from "../registry/records.ts";
import { sourceLoggedModel, toModelVersion } from "../registry/records.ts";
import type {
  ModelVersion,
  RegisteredModel,
  SearchModelVersionsOptions,
  SearchRegisteredModelsOptions,
} from "../registry/types.ts";
import {
  type ModelVersionClause,
  prepareModelVersionSearch,
  prepareRegisteredModelSearch,
  searchModelVersionsYielding,
  searchRegisteredModelsYielding,
  withoutTags,
} from "../search/registry.ts";
import type { Page, Tag } from "../types.ts";
import {
  modelVersionByRunKey,
  modelVersionBySourceModelKey,
  modelVersionKey,
  modelVersionsByRunPrefix,
  modelVersionsBySourceModelBuiltKey,
  modelVersionsBySourceModelPrefix,
  modelVersionsByStagePrefix,
  modelVersionsPrefix,
  modelVersionTagsPrefix,
  registeredModelAliasesPrefix,
  registeredModelKey,
  registeredModelsPrefix,
  registeredModelTagsPrefix,
  registryGarbagePrefix,
} from "./keys.ts";
import {
  buildModel,
  findHead,
  groupOf,
  groupTags,
  listAll,
  readTags,
  type RegisteredModelRecord,
} from "./registry_io.ts";
import { batchedReads } from "./read_batcher.ts";
import { buildIndex } from "./index_builds.ts";
import type { MigrationStep } from "./migration_step.ts";
import type { Mutation } from "./mutations.ts";
import { viewList } from "./registry_view.ts";
import type { KvContext } from "./run_write.ts";

/** Searches registered models (see the module doc). */
export async function searchRegisteredModels(
  ctx: KvContext,
  opts: SearchRegisteredModelsOptions,
): Promise<Page<RegisteredModel>> {
  const q = prepareRegisteredModelSearch(opts); // rejects bad input before any read
  const [recs, tagEntries] = await Promise.all([
    listAll<RegisteredModelRecord>(ctx.kv, registeredModelsPrefix()),
    listAll(ctx.kv, registeredModelTagsPrefix()),
  ]);
  const tags = groupTags(tagEntries, 3);
  const rows = recs.map(({ value: rec }) => ({
    name: rec.name,
    creation_timestamp: rec.creation_timestamp,
    last_updated_timestamp: rec.last_updated_timestamp,
    tags: tags.get(groupOf(registeredModelTagsPrefix(rec.id))) ?? [],
    rec,
  }));
  const page = await searchRegisteredModelsYielding(rows, q);
  const items = await Promise.all(page.items.map((r) => buildModel(ctx.kv, r.rec, r.tags)));
  return page.nextPageToken ? { items, nextPageToken: page.nextPageToken } : { items };
}

/** The run ids an indexed plan can start from: a top-level `run_id =` or `run_id IN`. */
function runIdsOf(clauses: readonly ModelVersionClause[]): string[] | undefined {
  for (const c of clauses) {
    if (c.kind !== "attribute" || c.key !== "run_id") continue;
    if (c.op === "=") return [c.value];
    if (c.op === "IN") return [...new Set(c.values)];
  }
  return undefined;
}

/** The logged model of a top-level `source_path = 'models:/<model id>'`, if any. */
function sourceModelOf(clauses: readonly ModelVersionClause[]): string | undefined {
  for (const c of clauses) {
    if (c.kind === "attribute" && c.key === "source_path" && c.op === "=") {
      const id = sourceLoggedModel(c.value);
      if (id) return id;
    }
  }
  return undefined;
}

/**
 * Schema migration 5: adds every version with a `models:/<model id>` source to
 * `model_versions_by_source_model`, a page of versions at a time, and marks the index built (a
 * store written before the index existed). Versions created meanwhile add themselves; one
 * deleted meanwhile may be left in the index, which searches verify against.
 */
export function buildVersionsBySourceModel(step: MigrationStep): Promise<Mutation[]> {
  return buildIndex<ModelVersionRecord>(step, {
    prefix: modelVersionsPrefix(),
    builtKey: modelVersionsBySourceModelBuiltKey(),
    what: "model versions",
    entriesFor: (page) => {
      const entries: Mutation[] = [];
      for (const e of page) {
        const fromModel = sourceLoggedModel(e.value.source);
        if (fromModel) {
          const id = e.key[1] as string;
          entries.push({
            key: modelVersionBySourceModelKey(fromModel, id, e.value.version),
            value: e.value.version,
          });
        }
      }
      return Promise.resolve(entries);
    },
  });
}

function nameOf(clauses: readonly ModelVersionClause[]): string | undefined {
  for (const c of clauses) {
    if (c.kind === "attribute" && c.key === "name" && c.op === "=") return c.value;
  }
  return undefined;
}

type Candidate = { model: RegisteredModelRecord; rec: ModelVersionRecord };

/** Candidates from index prefixes whose keys end in (registered model id, version). */
async function candidatesFrom(kv: Deno.Kv, prefixes: Deno.KvKey[]): Promise<Candidate[]> {
  const pointers: [string, number][] = [];
  for (const prefix of prefixes) {
    for (const e of await listAll(kv, prefix)) {
      pointers.push([e.key.at(-2) as string, e.key.at(-1) as number]);
    }
  }
  const ids = [...new Set(pointers.map(([id]) => id))];
  // Records and versions are read together: few keys share one round trip.
  const [records, recs] = await Promise.all([
    batchedReads(kv).getAll<RegisteredModelRecord>(ids.map(registeredModelKey)),
    batchedReads(kv).getAll<ModelVersionRecord>(pointers.map(([id, v]) => modelVersionKey(id, v))),
  ]);
  const models = new Map<string, RegisteredModelRecord>();
  for (const m of records) if (m.value) models.set(m.value.id, m.value);
  return recs.flatMap((e, i) => {
    const model = models.get(pointers[i][0]);
    return e.value && model ? [{ model, rec: e.value }] : [];
  });
}

/** Searches model versions (see the module doc). Versions carry tags but no aliases (MLflow's). */
export async function searchModelVersions(
  ctx: KvContext,
  opts: SearchModelVersionsOptions,
): Promise<Page<ModelVersion>> {
  const kv = ctx.kv;
  const q = prepareModelVersionSearch(opts);
  const runIds = runIdsOf(q.filter);
  const fromModel = runIds ? undefined : sourceModelOf(q.filter);
  const built = fromModel === undefined
    ? null
    : (await batchedReads(kv).get(modelVersionsBySourceModelBuiltKey())).value;
  const name = runIds || built ? undefined : nameOf(q.filter);
  let candidates: Candidate[];
  let allTags: Map<string, Tag[]> | undefined;
  if (runIds) {
    candidates = await candidatesFrom(kv, runIds.map((id) => modelVersionsByRunPrefix(id)));
  } else if (fromModel !== undefined && built) {
    candidates = await candidatesFrom(kv, [modelVersionsBySourceModelPrefix(fromModel)]);
  } else if (name !== undefined) {
    const head = await findHead(kv, name);
    const model = head?.rec.value;
    const view = head?.view && "entries" in head.view ? head.view : undefined;
    // Every version of the model is a candidate: their tags are one list, not one per version
    // (none with the model's view, read with its record).
    const [versions, tagEntries] = model && view
      ? [
        viewList<ModelVersionRecord>(view, modelVersionsPrefix(model.id)),
        viewList(view, modelVersionTagsPrefix(model.id)),
      ]
      : model
      ? await Promise.all([
        listAll<ModelVersionRecord>(kv, modelVersionsPrefix(model.id)),
        listAll(kv, modelVersionTagsPrefix(model.id)),
      ])
      : [[], []];
    candidates = model ? versions.map((e) => ({ model, rec: e.value })) : [];
    allTags = groupTags(tagEntries, 4);
  } else {
    const [models, versions, tagEntries] = await Promise.all([
      listAll<RegisteredModelRecord>(kv, registeredModelsPrefix()),
      listAll<ModelVersionRecord>(kv, modelVersionsPrefix()),
      listAll(kv, modelVersionTagsPrefix()),
    ]);
    const byId = new Map(models.map((m) => [m.value.id, m.value]));
    candidates = versions.flatMap((e) => {
      const model = byId.get(e.key[1] as string);
      return model ? [{ model, rec: e.value }] : [];
    });
    allTags = groupTags(tagEntries, 4);
  }
  const skipTags = opts.omitTags === true && !q.filter.some((c) => c.kind === "tag");
  const tagsOf = async ({ model, rec }: Candidate) => {
    const prefix = modelVersionTagsPrefix(model.id, rec.version);
    if (allTags) return allTags.get(groupOf(prefix)) ?? [];
    return skipTags ? [] : await readTags(kv, prefix);
  };
  const all = await Promise.all(
    candidates.map(async (c) => toModelVersion(c.model.name, c.rec, await tagsOf(c))),
  );
  const page = await searchModelVersionsYielding(all, q);
  return opts.omitTags ? withoutTags(page) : page;
}

/**
 * Deletes every key of models deleted by `deleteRegisteredModel` (marked in `registry_garbage`).
 * Nothing can write under a deleted model's id any more, so plain batched deletes suffice, and two
 * processes sweeping at once only repeat each other's deletes.
 */
export async function sweepDeletedModels(kv: Deno.Kv): Promise<void> {
  for (const g of await listAll(kv, registryGarbagePrefix())) {
    const id = g.key[1] as string;
    const keys: Deno.KvKey[] = [];
    for (const v of await listAll<ModelVersionRecord>(kv, modelVersionsPrefix(id))) {
      keys.push(v.key);
      if (v.value.run_id) keys.push(modelVersionByRunKey(v.value.run_id, id, v.value.version));
      const fromModel = sourceLoggedModel(v.value.source);
      if (fromModel) keys.push(modelVersionBySourceModelKey(fromModel, id, v.value.version));
    }
    for (
      const prefix of [
        registeredModelTagsPrefix(id),
        registeredModelAliasesPrefix(id),
        modelVersionTagsPrefix(id),
        modelVersionsByStagePrefix(id),
      ]
    ) {
      for (const e of await listAll(kv, prefix)) keys.push(e.key);
    }
    for (let i = 0; i < keys.length; i += 500) {
      const op = kv.atomic();
      for (const k of keys.slice(i, i + 500)) op.delete(k);
      await op.commit();
    }
    await kv.atomic().check(g).delete(g.key).commit();
  }
}
