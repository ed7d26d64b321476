/**
 * The behaviour every `TrackingStore` backend shares, as one suite: a backend passes when
 * `runTrackingStoreConformance("<name>", makeStore)` is green. The tests go through the public
 * interface only, so the suite is the single statement of the store contract beside
 * `store/types.ts`.
 *
 * @module
 */
import { defineFor, type MakeStore } from "./conformance/_harness.ts";
import { copyConformance } from "./conformance/copies.ts";
import { experimentConformance } from "./conformance/experiments.ts";
import { experimentKeysConformance } from "./conformance/experiment_keys.ts";
import { historyConformance } from "./conformance/history.ts";
import { inputsConformance } from "./conformance/inputs.ts";
import { logBatchConformance } from "./conformance/log_batch.ts";
import { purgeConformance } from "./conformance/purge.ts";
import { readableSearchConformance } from "./conformance/readable_search.ts";
import { loggedModelConformance } from "./conformance/logged_models.ts";
import { registryConformance } from "./conformance/registry.ts";
import { runDataConformance } from "./conformance/run_data.ts";
import { runConformance } from "./conformance/runs.ts";
import { searchConformance } from "./conformance/search.ts";
import { validationConformance } from "./conformance/validation.ts";

export type { MakeStore };

/**
 * Registers the conformance tests (`Deno.test`s named `"[<name>] <method>() <behaviour>"`); each
 * test opens its own store with `makeStore` and closes it afterwards.
 *
 * @example
 * ```ts
 * runTrackingStoreConformance("memory", () => Promise.resolve({ store: createMemoryStore() }));
 * ```
 */
export function runTrackingStoreConformance(name: string, makeStore: MakeStore): void {
  const test = defineFor(name, makeStore);
  experimentConformance(test);
  experimentKeysConformance(test);
  runConformance(test);
  logBatchConformance(test);
  validationConformance(test);
  runDataConformance(test);
  inputsConformance(test);
  historyConformance(test);
  searchConformance(test);
  copyConformance(test);
  loggedModelConformance(test);
  registryConformance(test);
  readableSearchConformance(test);
  purgeConformance(test);
}
