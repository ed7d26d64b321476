import type { Tag } from "../../store/types.ts";

/** Props of {@linkcode KvTable}. */
export interface KvTableProps {
  /** The table's `id` (tests and in-page links find it by this). */
  id: string;
  rows: readonly Tag[];
  /** The text of the only row when `rows` is empty ("No tags."). */
  empty: string;
  /** Column headings; default "Key" / "Value". */
  keyLabel?: string;
  valueLabel?: string;
}

/** Key/value pairs (tags, params) as a two-column table; values keep their line breaks. */
export function KvTable({ id, rows, empty, keyLabel = "Key", valueLabel = "Value" }: KvTableProps) {
  return (
    <div class="table-wrap">
      <table class="table table--kv" id={id}>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col">{valueLabel}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={2} class="empty">{empty}</td>
            </tr>
          )}
          {rows.map((t) => (
            <tr key={t.key}>
              <th scope="row" class="mono">{t.key}</th>
              <td class="cell-value">{t.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
