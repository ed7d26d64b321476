/**
 * Datasets in KV, deduplicated per experiment by (name, digest). A schema may be 1 MB and a
 * profile 16 MB, far past KV's 64 KiB values, so long fields are split into pieces that become
 * visible together with the dataset (the run write that adds them is all-or-nothing).
 */
import type { Dataset, DatasetInput, Tag } from "../types.ts";
import {
  datasetBlobKey,
  datasetBlobPrefix,
  datasetByNameDigestKey,
  datasetKey,
  runDatasetInputKey,
} from "./keys.ts";
import type { MutationSet } from "./mutations.ts";
import { compareCodePoints } from "./records.ts";
import type { RunWriteState } from "./run_write.ts";

const PIECE_CHARS = 16_000;
const SPLITTABLE = ["source", "schema", "profile"] as const;

interface DatasetRecord {
  name: string;
  digest: string;
  source_type: string;
  source?: string;
  schema?: string;
  profile?: string;
  /** Fields stored in pieces, with their piece counts. */
  pieces?: Partial<Record<(typeof SPLITTABLE)[number], number>>;
}

interface EdgeRecord {
  tags: Tag[];
}

function planDataset(m: MutationSet, expId: string, id: string, d: Dataset): void {
  const rec: DatasetRecord = { name: d.name, digest: d.digest, source_type: d.source_type };
  // Fields kept inline share the record's one KV value: together they stay within one piece.
  let inline = 0;
  for (const field of SPLITTABLE) {
    const v = d[field];
    if (v === undefined) continue;
    if (inline + v.length <= PIECE_CHARS) {
      rec[field] = v;
      inline += v.length;
      continue;
    }
    const n = Math.ceil(v.length / PIECE_CHARS);
    rec.pieces = { ...rec.pieces, [field]: n };
    for (let i = 0; i < n; i++) {
      m.set(datasetBlobKey(expId, id, field, i), v.slice(i * PIECE_CHARS, (i + 1) * PIECE_CHARS));
    }
  }
  m.set(datasetKey(expId, id), rec);
}

/**
 * Plans logging dataset inputs to a run: reuses the experiment's dataset with the same name and
 * digest (checked in the commit, so two runs racing cannot create twins), and adds the run↔dataset
 * edge unless it exists (re-logging is a no-op).
 */
export async function planDatasetInputs(
  kv: Deno.Kv,
  s: RunWriteState,
  m: MutationSet,
  inputs: DatasetInput[],
): Promise<void> {
  const expId = s.run.experiment_id;
  const fresh = new Map<string, string>();
  for (const input of inputs) {
    const d = input.dataset;
    const idxKey = datasetByNameDigestKey(expId, d.name, d.digest);
    const ident = JSON.stringify([d.name, d.digest]);
    let id = fresh.get(ident);
    if (id === undefined) {
      const idx = await kv.get<string>(idxKey);
      // An index entry, once written, never changes: only its absence needs a check. That keeps
      // re-logging known datasets within remote KV's 10 checks per commit.
      if (idx.value === null) s.checks.push({ key: idxKey, versionstamp: null });
      if (idx.value !== null) {
        id = idx.value;
      } else {
        id = crypto.randomUUID().replaceAll("-", "");
        planDataset(m, expId, id, d);
        m.set(idxKey, id);
      }
      fresh.set(ident, id);
    }
    const edgeKey = runDatasetInputKey(s.run.run_id, id);
    if (m.get(edgeKey)) continue;
    const edge = await kv.get<EdgeRecord>(edgeKey);
    if (edge.value === null) m.set(edgeKey, { tags: input.tags ?? [] } satisfies EdgeRecord);
  }
}

async function readField(kv: Deno.Kv, expId: string, id: string, field: string): Promise<string> {
  let s = "";
  for await (const e of kv.list<string>({ prefix: datasetBlobPrefix(expId, id, field) })) {
    s += e.value;
  }
  return s;
}

/** A run↔dataset edge as read from the run's keys. */
export interface DatasetEdge {
  datasetId: string;
  tags: Tag[];
}

/** Loads the datasets behind a run's edges, sorted by (name, digest) as both backends return them. */
export async function loadDatasetInputs(
  kv: Deno.Kv,
  expId: string,
  edges: DatasetEdge[],
): Promise<DatasetInput[]> {
  const out: DatasetInput[] = [];
  for (const edge of edges) {
    const rec = (await kv.get<DatasetRecord>(datasetKey(expId, edge.datasetId))).value;
    if (rec === null) continue;
    const dataset: Dataset = {
      name: rec.name,
      digest: rec.digest,
      source_type: rec.source_type,
      source: "",
    };
    for (const field of SPLITTABLE) {
      const v = rec.pieces?.[field]
        ? await readField(kv, expId, edge.datasetId, field)
        : rec[field];
      if (v !== undefined) dataset[field] = v;
    }
    out.push({ tags: edge.tags, dataset });
  }
  return out.sort((a, b) =>
    compareCodePoints(a.dataset.name, b.dataset.name) ||
    compareCodePoints(a.dataset.digest, b.dataset.digest)
  );
}

/** Parses a stored edge value. */
export function edgeTags(value: unknown): Tag[] {
  return (value as EdgeRecord).tags;
}
