import type { DatasetInput } from "../../store/types.ts";
import { MetaItem } from "./MetaItem.tsx";

/** The input tag in which MLflow says what a dataset was used for ("train", "eval"…). */
export const DATASET_CONTEXT_TAG = "mlflow.data.context";

/** Props of {@linkcode RunDatasets}. */
export interface RunDatasetsProps {
  /** The run's `inputs.dataset_inputs`. */
  inputs: readonly DatasetInput[];
}

/**
 * A JSON document as indented text for a `<pre>`; text that is not JSON as it is. Strings that
 * hold JSON themselves are expanded (MLflow's tensor schemas keep each spec as a JSON string).
 * Preact escapes the result, so a schema carrying markup stays text.
 */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(expandJsonStrings(JSON.parse(text)), null, 2);
  } catch {
    return text;
  }
}

function expandJsonStrings(v: unknown): unknown {
  if (typeof v === "string" && /^\s*[[{]/.test(v)) {
    try {
      return expandJsonStrings(JSON.parse(v));
    } catch {
      return v;
    }
  }
  if (Array.isArray(v)) return v.map(expandJsonStrings);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandJsonStrings(x)]));
  }
  return v;
}

/**
 * The dataset's source in a few words: MLflow stores it as JSON (`{"uri": "s3://…"}`,
 * `{"url": …}`, a code source's `{"tags": {…}}`); its uri, url or path when it has one, else the
 * raw text.
 */
export function sourceSummary(source: string): string {
  try {
    const v = JSON.parse(source) as Record<string, unknown>;
    for (const k of ["uri", "url", "path", "table_name"]) {
      if (typeof v?.[k] === "string") return v[k] as string;
    }
  } catch {
    // Not JSON: shown as it is.
  }
  return source;
}

/**
 * The run page's "Datasets used": one card per dataset input (autolog logs its train and eval
 * sets) with name, context, digest and source, and the schema and profile collapsed as indented
 * JSON. Nothing when the run has no dataset inputs.
 */
export function RunDatasets({ inputs }: RunDatasetsProps) {
  if (inputs.length === 0) return null;
  return (
    <ul class="datasets" id="run-datasets">
      {inputs.map(({ dataset: d, tags }, i) => {
        const context = tags.find((t) => t.key === DATASET_CONTEXT_TAG)?.value;
        const summary = sourceSummary(d.source);
        return (
          <li class="dataset" key={`${d.name}\u0000${d.digest}\u0000${i}`}>
            <div class="dataset__head">
              <h3 class="dataset__name">{d.name}</h3>
              {context && <span class="badge dataset__context">{context}</span>}
            </div>
            <dl class="meta dataset__meta">
              <MetaItem label="Digest" class="mono">{d.digest}</MetaItem>
              <MetaItem label="Source type">{d.source_type || "—"}</MetaItem>
              <MetaItem label="Source" class="mono">
                <span title={d.source}>{summary || "—"}</span>
              </MetaItem>
            </dl>
            {d.schema && (
              <details class="dataset__json">
                <summary>Schema</summary>
                <pre>{prettyJson(d.schema)}</pre>
              </details>
            )}
            {d.profile && (
              <details class="dataset__json">
                <summary>Profile</summary>
                <pre>{prettyJson(d.profile)}</pre>
              </details>
            )}
          </li>
        );
      })}
    </ul>
  );
}
