/**
 * Issue 12 §5: the run read lease across machines whose clocks disagree. A reader overtaken by
 * writes takes a lease on the run head; writers in other processes (here: another KV handle on
 * the same file) must honour it for its length, whatever either clock says.
 *
 * The skew is simulated by shifting `Date.now` in this process while one side acts; the two
 * stores share the process, so each test shifts it only around the side it stands for.
 */
import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { runHeadKey } from "../store/kv/keys.ts";
import { createKvStore, type KvTrackingStore } from "../store/kv/mod.ts";
import type { RunHead } from "../store/kv/records.ts";
import type { KvContext } from "../store/kv/run_write.ts";
import { readConsistently } from "../store/kv/snapshot.ts";

const SKEW_MS = 10 * 60_000;

/** Runs `fn` with this process's wall clock `SKEW_MS` ahead. */
async function withClockAhead<T>(fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => real() + SKEW_MS;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

interface World {
  /** The reader's KV handle and context (stands for one machine). */
  readerKv: Deno.Kv;
  reader: KvContext;
  /** The writer's store on its own handle (another machine). */
  writer: KvTrackingStore;
  runId: string;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-lease-" });
  const path = `${dir}/lease.kv`;
  const writerKv = await Deno.openKv(path);
  const writer = await createKvStore(writerKv, { stagingSweepIntervalMs: 0 });
  const readerKv = await Deno.openKv(path);
  // A reader needs only the KV handle: readConsistently never writes through the run cache or
  // the committer.
  const reader = { kv: readerKv } as KvContext;
  const runId = (await writer.createRun({ experimentId: "0" })).info.run_id;
  return {
    readerKv,
    reader,
    writer,
    runId,
    async close() {
      await writer.stopBackgroundWork();
      writerKv.close();
      readerKv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

let step = 0;
const logOne = (w: World) =>
  w.writer.logBatch(w.runId, {
    metrics: [{ key: "loss", value: 1, timestamp: 1, step: step++ }],
  });

/** Optimistic attempts a reader makes before it takes the lease (snapshot.ts). */
const OPTIMISTIC_ATTEMPTS = 4;

Deno.test("a reader whose clock runs 10 minutes ahead and dies holding its read lease holds writers elsewhere for the lease's length, not for the skew", async () => {
  const w = await world();
  try {
    let attempt = 0;
    await withClockAhead(() =>
      rejects(
        readConsistently(w.reader, w.runId, async () => {
          // Overtaken by a write on every optimistic attempt, so the next one takes the lease…
          if (attempt++ < OPTIMISTIC_ATTEMPTS) return await logOne(w);
          // …and then the reader dies without releasing it.
          throw new Error("reader died");
        }),
        /reader died/,
      )
    );
    const head = await w.readerKv.get<RunHead>(runHeadKey(w.runId));
    ok(head.value !== null && Object.keys(head.value).some((k) => /lease/i.test(k)), "leased");
    // On the writer's (true) clock the lease is a couple of seconds long; waiting out the skew
    // (10 minutes) would exhaust the writer's retries and fail the write.
    await logOne(w);
    const after = await w.readerKv.get<RunHead>(runHeadKey(w.runId));
    deepStrictEqual(Object.keys(after.value ?? {}).filter((k) => /lease/i.test(k)), []);
  } finally {
    await w.close();
  }
});

Deno.test("a writer whose clock runs 10 minutes ahead still waits for another process's live read lease", async () => {
  const w = await world();
  try {
    let attempt = 0;
    let landed = false;
    let write: Promise<void> | undefined;
    const seen = await readConsistently(w.reader, w.runId, async () => {
      if (attempt++ < OPTIMISTIC_ATTEMPTS) return (await logOne(w), -1);
      // Leased now. A writer elsewhere, its clock ahead, tries to write meanwhile.
      await withClockAhead(async () => {
        write = logOne(w).then(() => {
          landed = true;
        });
        await new Promise((r) => setTimeout(r, 300));
      });
      return landed ? 1 : 0;
    });
    deepStrictEqual(seen, 0, "a write landed while the reader held its lease");
    await write;
    ok(landed);
  } finally {
    await w.close();
  }
});
