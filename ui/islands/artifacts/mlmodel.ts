/**
 * An MLmodel file read for display: its flavors with their key fields, the signature's inputs,
 * outputs and params as rows, and the Python that loads the model. Pure; the preview component
 * renders it (ui/islands/artifacts/MlModelPreview.tsx).
 *
 * @module
 */
import { parseYamlLite } from "./yaml_lite.ts";

/** One flavor: its name and its scalar fields (`sklearn_version: 1.2.1`), nested ones flattened. */
export interface Flavor {
  name: string;
  fields: [string, string][];
}

/** One row of a signature table: a column, a tensor, or a param. */
export interface SignatureRow {
  /** The column or param name; "" for an unnamed tensor. */
  name: string;
  /** `double`, `Tensor(int64, [-1])`, `array<string>`, `object{a: long}`… */
  type: string;
  /** "required", "optional", or a param's default. */
  note: string;
}

/** A signature part: rows, or the raw text when it is not the JSON MLflow writes. */
export type SignaturePart = { rows: SignatureRow[] } | { raw: string };

/** What the preview shows of one MLmodel file. */
export interface MlModelView {
  flavors: Flavor[];
  signature: { inputs?: SignaturePart; outputs?: SignaturePart; params?: SignaturePart } | null;
  /** Facts worth a line each (mlflow version, created, size, model id, run id). */
  facts: [string, string][];
  /** Python snippets that load the model, pyfunc first. */
  load: { label: string; code: string }[];
}

/** Flavors MLflow has a `mlflow.<name>.load_model` for (its built-in model flavors). */
const LOADABLE = new Set([
  "catboost",
  "diviner",
  "dspy",
  "h2o",
  "johnsnowlabs",
  "keras",
  "langchain",
  "lightgbm",
  "llama_index",
  "onnx",
  "openai",
  "paddle",
  "pmdarima",
  "promptflow",
  "prophet",
  "pytorch",
  "sentence_transformers",
  "sklearn",
  "spacy",
  "spark",
  "statsmodels",
  "tensorflow",
  "transformers",
  "xgboost",
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `a.b: c` pairs of a nested flavor config. */
function flatten(obj: Record<string, unknown>, prefix = ""): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]): [string, string][] =>
    isRecord(v) && Object.keys(v).length > 0
      ? flatten(v, `${prefix}${k}.`)
      : [[`${prefix}${k}`, show(v)]]
  );
}

/** A type spec (`{type: "array", items: …}`, `{type: "object", properties: …}`) as short text. */
function typeText(spec: Record<string, unknown>): string {
  const t = spec.type;
  if (t === "tensor" && isRecord(spec["tensor-spec"])) {
    const ts = spec["tensor-spec"];
    return `Tensor(${show(ts.dtype)}, ${JSON.stringify(ts.shape ?? [])})`;
  }
  if (t === "array" && isRecord(spec.items)) return `array<${typeText(spec.items)}>`;
  if (t === "object" && isRecord(spec.properties)) {
    const props = Object.entries(spec.properties).map(([k, v]) =>
      `${k}: ${isRecord(v) ? typeText(v) : show(v)}`
    );
    return `object{${props.join(", ")}}`;
  }
  if (t === "map" && isRecord(spec.values)) return `map<string, ${typeText(spec.values)}>`;
  return show(t);
}

/** A signature part as MLflow stores it (a JSON string of specs), read into rows. */
export function signatureRows(value: unknown, params = false): SignaturePart | undefined {
  if (value === null || value === undefined) return undefined;
  let specs: unknown = value;
  if (typeof value === "string") {
    try {
      specs = JSON.parse(value);
    } catch {
      return { raw: value };
    }
  }
  if (!Array.isArray(specs) || !specs.every(isRecord)) return { raw: show(value) };
  return {
    rows: specs.map((s) => ({
      name: typeof s.name === "string" ? s.name : "",
      type: typeText(s) + (params && Array.isArray(s.shape) ? ` ${JSON.stringify(s.shape)}` : ""),
      note: params ? `default ${show(s.default)}` : s.required === false ? "optional" : "required",
    })),
  };
}

/** A Python string literal of `s` (JSON's escaping is valid Python for these characters). */
function pyString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Reads an MLmodel file. `modelUri` is how MLflow addresses the model: `runs:/<run>/<dir>` for a
 * run's artifact, `models:/<model_id>` for a logged model. Throws when the text is not YAML this
 * reader understands or has no `flavors` mapping (the caller then shows the raw text).
 */
export function readMlModel(text: string, modelUri: string): MlModelView {
  const doc = parseYamlLite(text);
  if (!isRecord(doc) || !isRecord(doc.flavors)) throw new Error("No flavors in this MLmodel");
  const flavors = Object.entries(doc.flavors).map(([name, conf]) => ({
    name,
    fields: isRecord(conf) ? flatten(conf) : [],
  }));
  const sig = isRecord(doc.signature)
    ? {
      inputs: signatureRows(doc.signature.inputs),
      outputs: signatureRows(doc.signature.outputs),
      params: signatureRows(doc.signature.params, true),
    }
    : null;
  const facts: [string, string][] = [];
  const fact = (label: string, key: string) => {
    if (doc[key] !== undefined && doc[key] !== null) facts.push([label, show(doc[key])]);
  };
  fact("MLflow version", "mlflow_version");
  fact("Created (UTC)", "utc_time_created");
  fact("Size (bytes)", "model_size_bytes");
  fact("Model id", "model_id");
  fact("Run id", "run_id");
  const uri = pyString(modelUri);
  const load: MlModelView["load"] = [];
  if ("python_function" in doc.flavors) {
    load.push({
      label: "As a generic Python function (pyfunc)",
      code:
        `import mlflow\n\nmodel = mlflow.pyfunc.load_model(${uri})\npredictions = model.predict(data)`,
    });
  }
  for (const f of flavors) {
    if (!LOADABLE.has(f.name)) continue;
    load.push({
      label: `As a ${f.name} model`,
      code: `import mlflow\n\nmodel = mlflow.${f.name}.load_model(${uri})`,
    });
  }
  return { flavors, signature: sig, facts, load };
}

/**
 * The model URI of an MLmodel at `path` in a run's artifacts: `runs:/<run_id>/<its folder>`
 * (`runs:/<run_id>` when it sits at the root).
 */
export function runModelUri(runId: string, path: string): string {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  return dir === "" ? `runs:/${runId}` : `runs:/${runId}/${dir}`;
}
