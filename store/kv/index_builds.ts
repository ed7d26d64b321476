/**
 * Building an index that stores written before it existed lack, as a schema migration: the
 * source keys are listed a page at a time ({@linkcode MigrationStep.pageKeys}), each page's
 * entries are committed together with the list cursor, so memory holds one page and a build
 * killed midway goes on from its last page. The entries are plain sets, so a page written twice
 * (a resumed run, or two processes building at once) is harmless. The migration's last commit,
 * with the schema version bump, sets the index's mark, which searches read.
 *
 * @module
 */
import type { MigrationStep } from "./migration_step.ts";
import type { Mutation } from "./mutations.ts";

/** How to build one index from the keys under a prefix. */
export interface IndexBuild<T> {
  /** Prefix of the source keys (one entry each, or none). */
  prefix: Deno.KvKey;
  /** Set once the index is complete (an older kvflow set it at open). */
  builtKey: Deno.KvKey;
  /** Index entries for one page of source entries. */
  entriesFor(page: Deno.KvEntry<T>[]): Promise<Mutation[]>;
  /** What the source keys are, for progress lines ("logged models"). */
  what: string;
}

/**
 * Writes every entry of the index unless it is marked built; returns the mutations the runner
 * commits with the version bump (the mark).
 */
export async function buildIndex<T>(
  step: MigrationStep,
  build: IndexBuild<T>,
): Promise<Mutation[]> {
  if ((await step.kv.get(build.builtKey)).value) return [];
  let done = step.resume?.done ?? 0;
  const iter = step.kv.list<T>({ prefix: build.prefix }, {
    cursor: step.resume?.cursor,
    batchSize: step.pageKeys,
  });
  let page: Deno.KvEntry<T>[] = [];
  const flush = async () => {
    done += page.length;
    await step.writePage(await build.entriesFor(page), iter.cursor, done);
    step.progress(`${done} ${build.what}`);
    page = [];
  };
  for await (const e of iter) {
    page.push(e);
    if (page.length >= step.pageKeys) await flush();
  }
  if (page.length > 0) await flush();
  return [{ key: build.builtKey, value: true }];
}
