/** Whole-database scans for purge tests: which keys still name an id. */

/** Every key (as text) with a string part that contains `id`; scans the whole database. */
export async function keysNaming(kv: Deno.Kv, id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    if (e.key.some((p) => typeof p === "string" && p.includes(id))) out.push(JSON.stringify(e.key));
  }
  return out;
}

/**
 * Keys an experiment owns exclusively (its id second in an experiment-keyed family, or its name
 * in the name index) that remain, plus its entry in the lifecycles key.
 */
export async function keysOfExperiment(kv: Deno.Kv, id: string, name: string): Promise<string[]> {
  const families = new Set([
    "experiments",
    "experiment_tags",
    "experiment_purges",
    "runs_by_experiment",
    "runs_by_param",
    "runs_by_tag",
    "runs_by_metric",
    "logged_models_by_experiment",
    "logged_models_by_name",
    "datasets",
    "datasets_by_name_digest",
    "dataset_blobs",
  ]);
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    const [family, first] = e.key;
    if (families.has(family as string) && first === id) out.push(JSON.stringify(e.key));
    if (family === "experiments_by_name" && first === name) out.push(JSON.stringify(e.key));
    if (family === "experiment_lifecycles") {
      const exps = (e.value as { exps?: Record<string, unknown> }).exps;
      if (exps && id in exps) out.push("experiment_lifecycles entry");
    }
  }
  return out;
}
