import { strictEqual } from "node:assert/strict";
import { createExperimentIdCache, MAX_CACHED_EXPERIMENT_IDS } from "./experiment_ids.ts";

Deno.test("createExperimentIdCache() remembers runs and logged models apart", () => {
  const cache = createExperimentIdCache();
  strictEqual(cache.get("run", "abc"), undefined);
  cache.set("run", "abc", "1");
  cache.set("logged_model", "abc", "2");
  strictEqual(cache.get("run", "abc"), "1");
  strictEqual(cache.get("logged_model", "abc"), "2");
  strictEqual(cache.size, 2);
});

Deno.test("createExperimentIdCache() drops the least recently used past its bound", () => {
  const cache = createExperimentIdCache(3);
  for (const id of ["a", "b", "c"]) cache.set("run", id, id.toUpperCase());
  strictEqual(cache.get("run", "a"), "A"); // a is now the most recent
  cache.set("run", "d", "D");
  strictEqual(cache.size, 3);
  strictEqual(cache.get("run", "b"), undefined);
  strictEqual(cache.get("run", "a"), "A");
  strictEqual(cache.get("run", "d"), "D");
  strictEqual(MAX_CACHED_EXPERIMENT_IDS, 10_000);
});
