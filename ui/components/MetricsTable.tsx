import type { Metric } from "../../store/types.ts";
import { formatNumber } from "../shared/format.ts";

/** Props of {@linkcode MetricsTable}. */
export interface MetricsTableProps {
  /** The table's `id` (tests and in-page links find it by this). */
  id: string;
  /** Latest values, one row each, in the order given. */
  metrics: readonly Metric[];
  /** Add a Dataset column (logged models keep a latest value per key and dataset). */
  datasets?: boolean;
}

/** Metrics as rows of key, (dataset,) value to 6 significant digits (full value in `title`), step. */
export function MetricsTable({ id, metrics, datasets = false }: MetricsTableProps) {
  return (
    <div class="table-wrap">
      <table class="table table--kv" id={id}>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {datasets && <th scope="col">Dataset</th>}
            <th scope="col" class="num">Value</th>
            <th scope="col" class="num">Step</th>
          </tr>
        </thead>
        <tbody>
          {metrics.length === 0 && (
            <tr>
              <td colSpan={datasets ? 4 : 3} class="empty">No metrics.</td>
            </tr>
          )}
          {metrics.map((m) => (
            <tr key={`${m.key}\u0000${m.dataset_name ?? ""}\u0000${m.dataset_digest ?? ""}`}>
              <th scope="row" class="mono">{m.key}</th>
              {datasets && (
                <td title={m.dataset_digest ? `digest ${m.dataset_digest}` : undefined}>
                  {m.dataset_name || <span class="muted">—</span>}
                </td>
              )}
              <td class="num" title={String(m.value)}>
                {typeof m.value === "number" ? formatNumber(m.value) : String(m.value)}
              </td>
              <td class="num">{m.step}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
