import type { RunBatch } from "../../store/types.ts";

/** Items per part of {@linkcode hugeBatch}, so checks can tell whole batches from partial ones. */
export const HUGE_BATCH = { params: 100, tags: 100, metrics: 800 } as const;

/**
 * A log-batch that cannot fit one KV commit: 100 params, 100 tags and 800 metrics under distinct
 * keys (over 1000 mutations). With `long`, values are at MLflow's limits (params of 6000
 * characters, tags of 8000: over 800 KiB too). Keys carry the batch number `i`.
 */
export function hugeBatch(i: number, long = true): RunBatch {
  const pv = long ? String(i).repeat(6000).slice(0, 6000) : `v${i}`;
  const tv = long ? "t".repeat(8000) : `t${i}`;
  return {
    params: Array.from(
      { length: HUGE_BATCH.params },
      (_, j) => ({ key: `p${i}_${j}`, value: pv }),
    ),
    tags: Array.from(
      { length: HUGE_BATCH.tags },
      (_, j) => ({ key: `t${i}_${j}`, value: tv }),
    ),
    metrics: Array.from(
      { length: HUGE_BATCH.metrics },
      (_, j) => ({ key: `m${i}_${j}`, value: j, timestamp: 1000 + i, step: i }),
    ),
  };
}

/** Counts, per batch number, how many params, tags and metrics of each batch a run shows. */
export function countBatches(
  data: { params: { key: string }[]; tags: { key: string }[]; metrics: { key: string }[] },
): Map<number, { params: number; tags: number; metrics: number }> {
  const out = new Map<number, { params: number; tags: number; metrics: number }>();
  const bump = (key: string, part: "params" | "tags" | "metrics") => {
    const m = /^[ptm](\d+)_\d+$/.exec(key);
    if (!m) return;
    const i = Number(m[1]);
    const c = out.get(i) ?? { params: 0, tags: 0, metrics: 0 };
    c[part]++;
    out.set(i, c);
  };
  for (const p of data.params) bump(p.key, "params");
  for (const t of data.tags) bump(t.key, "tags");
  for (const x of data.metrics) bump(x.key, "metrics");
  return out;
}
