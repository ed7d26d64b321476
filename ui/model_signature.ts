/**
 * A registered version's model signature, read from its `MLmodel` file on the server: MLflow
 * keeps a model's input and output schema there (`signature.inputs` / `.outputs`, JSON strings
 * inside YAML), not in the registry or the logged model's record. The version page shows it as
 * a table; reading one small file costs one artifact GET, and a missing, unreadable or oversized
 * file just leaves the section saying so.
 *
 * @module
 */
import { parse } from "yaml";
import type { ArtifactRepository } from "../artifacts/types.ts";

/** One column (or tensor) of a signature. */
export interface SignatureColumn {
  /** The column's name; empty for an unnamed one (a tensor, a single output). */
  name: string;
  /** `double`, `string`, …; tensors as `tensor float64 [-1, 4]`. */
  type: string;
  /** False when the schema marks the column optional. */
  required: boolean;
}

/** A model's signature: inputs and outputs (null when the signature leaves one out). */
export interface ModelSignature {
  inputs: SignatureColumn[] | null;
  outputs: SignatureColumn[] | null;
}

/** MLmodel files larger than this are not read (they are a few hundred bytes in practice). */
const MAX_MLMODEL_BYTES = 256 * 1024;

/** One schema (a JSON array in a string) as columns; null when absent or not understood. */
function columns(schema: unknown): SignatureColumn[] | null {
  if (typeof schema !== "string" || !schema.trim()) return null;
  let list: unknown;
  try {
    list = JSON.parse(schema);
  } catch {
    return null;
  }
  if (!Array.isArray(list)) return null;
  return list.filter((c): c is Record<string, unknown> => typeof c === "object" && c !== null)
    .map((c) => {
      const spec = c["tensor-spec"] as { dtype?: unknown; shape?: unknown } | undefined;
      const type = c.type === "tensor" && spec
        ? `tensor ${String(spec.dtype ?? "")} ${JSON.stringify(spec.shape ?? [])}`.trim()
        : typeof c.type === "string"
        ? c.type
        : JSON.stringify(c.type ?? "");
      return {
        name: typeof c.name === "string" ? c.name : "",
        type,
        required: c.required !== false,
      };
    });
}

/**
 * The signature in an `MLmodel` file's text; null when the file has none (or is not YAML).
 *
 * @example
 * ```ts
 * parseSignature(`signature:\n  inputs: '[{"type": "double", "name": "x"}]'\n  outputs: null\n`);
 * // { inputs: [{ name: "x", type: "double", required: true }], outputs: null }
 * ```
 */
export function parseSignature(text: string): ModelSignature | null {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10 });
  } catch {
    return null;
  }
  const sig = (doc as { signature?: { inputs?: unknown; outputs?: unknown } } | null)?.signature;
  if (!sig || typeof sig !== "object") return null;
  const inputs = columns(sig.inputs);
  const outputs = columns(sig.outputs);
  return inputs || outputs ? { inputs, outputs } : null;
}

/**
 * The signature of the model whose files are at `dir` (a repository path, e.g.
 * `1/models/m-…/artifacts`), or null when there is no readable `MLmodel` with one there.
 */
export async function readSignature(
  repo: ArtifactRepository,
  dir: string,
): Promise<ModelSignature | null> {
  const path = dir ? `${dir.replace(/\/+$/, "")}/MLmodel` : "MLmodel";
  try {
    const obj = await repo.get(path);
    if (obj === null) return null;
    if (obj.size > MAX_MLMODEL_BYTES) {
      await obj.body.cancel();
      return null;
    }
    return parseSignature(await new Response(obj.body).text());
  } catch {
    return null;
  }
}
