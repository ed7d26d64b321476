/**
 * Metric-history reads on KV while another process writes: every read, as points or as columns,
 * is the history after some whole number of batches, never a torn mix, although batches move
 * points between loose keys, chunks and late keys as they land (the reads' optimistic single try
 * and their fall-back to readConsistently must both hold); and the column reads' cache serves a
 * history only under the run head it was read with.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createKvStore, type KvTrackingStore } from "../store/kv/mod.ts";
import type { Metric } from "../store/types.ts";
import { metric, newRun, T0 } from "./fixtures.ts";
import { countingKv, type KvCounts, newCounts } from "./helpers/counting_kv.ts";

const BATCHES = 60;
const BATCH = 150;

/** Batch `b`: 150 points, every third batch with 30 of them far back in time (late points). */
function batch(b: number): Metric[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const n = b * BATCH + i;
    const late = b % 3 === 2 && i < 30;
    return metric("m", Math.sin(n), late ? T0 + n - 5_000 : T0 + n * 10, n);
  });
}

const order = (a: Metric, b: Metric) =>
  a.timestamp - b.timestamp || a.step - b.step || a.value - b.value;

/**
 * Two stores on one KV file, as two processes have them (no shared in-process state), the
 * reader's KV wrapped by `wrap`; closed and removed after `body`.
 */
async function twoProcesses(
  body: (writer: KvTrackingStore, reader: KvTrackingStore) => Promise<void>,
  wrap: (kv: Deno.Kv) => Deno.Kv = (kv) => kv,
) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.kv`;
  const writerKv = await Deno.openKv(path);
  const readerKv = await Deno.openKv(path);
  const writer = await createKvStore(writerKv, { stagingSweepIntervalMs: 0 });
  const reader = await createKvStore(wrap(readerKv), { stagingSweepIntervalMs: 0 });
  try {
    await body(writer, reader);
  } finally {
    await writer.stopBackgroundWork();
    await reader.stopBackgroundWork();
    writerKv.close();
    readerKv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("history reads during another process's batches see whole batches only", async () => {
  await twoProcesses(async (writer, reader) => {
    const { runId } = await newRun(writer);
    // The history after k batches, for every k.
    const after: string[] = [];
    const seen: Metric[] = [];
    for (let k = 0; k <= BATCHES; k++) {
      after.push(JSON.stringify([...seen].sort(order).map((m) => [m.timestamp, m.step, m.value])));
      if (k < BATCHES) seen.push(...batch(k));
    }
    let writing = true;
    let stop = false;
    const written = (async () => {
      for (let b = 0; b < BATCHES && !stop; b++) {
        await writer.logBatch(runId, { metrics: batch(b) });
      }
      writing = false;
    })();
    const counts = new Set<number>();
    let reads = 0;
    try {
      while (writing || reads < 2) {
        const points = (await reader.getMetricHistory(runId, "m")).items;
        const cols = await reader.getMetricHistoryColumns(runId, "m");
        for (
          const got of [
            points.map((m) => [m.timestamp, m.step, m.value]),
            Array.from(cols.steps, (s, i) => [cols.timestamps[i], s, cols.values[i]]),
          ]
        ) {
          assert.equal(got.length % BATCH, 0, `a read of ${got.length} points`);
          assert.equal(JSON.stringify(got), after[got.length / BATCH]);
          counts.add(got.length / BATCH);
        }
        reads++;
      }
    } finally {
      // A failed read must not leave the writer committing to a closed database.
      stop = true;
      await written;
    }
    assert.ok(counts.has(BATCHES), "the last read saw every batch");
    assert.ok(counts.size > 3, `reads saw ${counts.size} distinct states`);
  });
});

Deno.test("a history read again under the same run head comes from the process's cache; any write to the run, from any process, is read afresh", async () => {
  const counts: KvCounts = newCounts();
  await twoProcesses(async (writer, reader) => {
    const { runId } = await newRun(writer);
    await writer.logBatch(runId, { metrics: [0, 1, 2, 3].flatMap(batch) });
    const read = async () => {
      counts.reads = 0;
      counts.log = [];
      const cols = await reader.getMetricHistoryColumns(runId, "m");
      return { steps: [...cols.steps], lists: counts.log.filter((l) => l.startsWith("list")) };
    };
    const first = await read();
    assert.equal(first.steps.length, 4 * BATCH);
    assert.ok(first.lists.length > 0, "the first read lists the history");
    const again = await read();
    assert.deepEqual(again.steps, first.steps);
    assert.deepEqual(again.lists, [], "read again: from the cache");
    assert.equal(counts.reads, 1, counts.log.join("\n"));
    // What a caller does with its copy does not reach the cache.
    (await reader.getMetricHistoryColumns(runId, "m")).steps.fill(-1);
    assert.deepEqual((await read()).steps, first.steps);
    // Another process writes the metric, then only a tag: each time the reader sees KV as it is.
    await writer.logBatch(runId, { metrics: batch(4) });
    const grown = await read();
    assert.equal(grown.steps.length, 5 * BATCH);
    assert.ok(grown.lists.length > 0);
    await writer.logBatch(runId, { tags: [{ key: "t", value: "v" }] });
    const afterTag = await read();
    assert.deepEqual(afterTag.steps, grown.steps);
    assert.ok(afterTag.lists.length > 0, "a new run head is a miss");
    // A page shorter than the history is never kept as the whole history.
    const other = (await newRun(writer)).runId;
    await writer.logBatch(other, { metrics: batch(0) });
    const page = await reader.getMetricHistoryColumns(other, "m", { maxResults: 10 });
    assert.equal(page.steps.length, 10);
    assert.equal((await reader.getMetricHistoryColumns(other, "m")).steps.length, BATCH);
  }, (kv) => countingKv(kv, counts));
});
