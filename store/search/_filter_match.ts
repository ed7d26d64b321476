/**
 * The reference evaluator for runs filters. Plain loops and no per-run allocation: it runs once
 * per candidate run, up to every run of an experiment.
 *
 * @module
 */

import type { Run, Tag } from "../types.ts";
import type { FilterNode } from "./filter.ts";
import { compareNumbers, matchesString } from "./_compare.ts";
import type { StringAttributeKey } from "./_identifier.ts";

const RUN_NAME_TAG = "mlflow.runName";
const DATASET_CONTEXT_TAG = "mlflow.data.context";

/**
 * True when `run` satisfies `node`; a `null` filter matches every run.
 *
 * @example
 * ```ts
 * matchesRunFilter(parseRunFilter("metrics.loss < 0.1"), run);
 * ```
 */
export function matchesRunFilter(node: FilterNode | null, run: Run): boolean {
  if (node === null) return true;
  switch (node.kind) {
    case "and":
      for (const c of node.children) if (!matchesRunFilter(c, run)) return false;
      return true;
    case "or":
      for (const c of node.children) if (matchesRunFilter(c, run)) return true;
      return false;
    case "not":
      return !matchesRunFilter(node.child, run);
    case "metric": {
      const metrics = run.data.metrics;
      for (let i = 0; i < metrics.length; i++) {
        if (metrics[i].key !== node.key) continue;
        const v = metrics[i].value;
        // MLflow's SQL store keeps NaN as 0 plus a flag and filters on the 0 (§11).
        return compareNumbers(Number.isNaN(v) ? 0 : v, node.op, node.value);
      }
      return false;
    }
    case "numeric_attribute": {
      const v = node.key === "start_time" ? run.info.start_time : run.info.end_time;
      // SQL NULL: a run that has not ended matches no comparison on end_time, not even `!=`.
      return v !== undefined && v !== null && compareNumbers(v, node.op, node.value);
    }
    case "param":
      return matchesString(lookup(run.data.params, node.key), node);
    case "tag":
      return matchesString(lookup(run.data.tags, node.key), node);
    case "string_attribute":
      return matchesString(runStringAttribute(run, node.key), node);
    case "dataset": {
      for (const input of run.inputs.dataset_inputs) {
        if (node.key === "context") {
          for (const t of input.tags) {
            if (t.key === DATASET_CONTEXT_TAG && matchesString(t.value, node)) return true;
          }
        } else if (matchesString(input.dataset[node.key], node)) {
          return true;
        }
      }
      return false;
    }
  }
}

function lookup(entries: readonly Tag[], key: string): string | undefined {
  for (let i = 0; i < entries.length; i++) if (entries[i].key === key) return entries[i].value;
  return undefined;
}

/**
 * The string attribute a filter compares. `run_name` follows MLflow's SQL store, which reads the
 * `mlflow.runName` tag; the store keeps it equal to `info.run_name`, which stands in when the tag
 * was deleted.
 */
export function runStringAttribute(run: Run, key: StringAttributeKey): string {
  if (key === "run_name") return lookup(run.data.tags, RUN_NAME_TAG) ?? run.info.run_name;
  return run.info[key];
}
