/**
 * What `deno task import` prints when it ends: one line per changed id, the counts, and the
 * warnings (what could not be carried).
 *
 * @module
 */
import type { ImportWarning } from "./export_format.ts";
import type { ImportResult } from "./import.ts";

/** The mapping lines, `experiment 3 → 7`, one per changed id or name. */
export function remapLines(result: ImportResult): string[] {
  const { experiments, runs, logged_models, registered_models } = result.remapped;
  return [
    ...[...experiments].map(([from, to]) => `experiment ${from} → ${to}`),
    ...[...logged_models].map(([from, to]) => `logged model ${from} → ${to}`),
    ...[...runs].map(([from, to]) => `run ${from} → ${to}`),
    ...[...registered_models].map(([from, to]) => `registered model '${from}' → '${to}'`),
  ];
}

/** `imported 2 experiments, 10 runs, …` (non-zero counts only). */
export function countsLine(verb: string, counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what.replaceAll("_", " ")}`);
  return `${verb} ${parts.length === 0 ? "nothing" : parts.join(", ")}`;
}

/** `warning: run abc: …`, one per warning. */
export function warningLines(warnings: readonly ImportWarning[]): string[] {
  return warnings.map((w) => `warning: ${w.subject}: ${w.message}`);
}
