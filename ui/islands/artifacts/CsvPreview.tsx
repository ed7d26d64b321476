/** Props of {@linkcode CsvPreview}: records read from the file's first bytes (header first). */
export interface CsvPreviewProps {
  rows: string[][];
  /** More records follow in the file than are shown. */
  truncated: boolean;
}

/**
 * A CSV or TSV artifact as a table: the first record as the header, cells as plain text (Preact
 * escapes them), ragged rows padded, and a note when the file goes on past what is shown.
 */
export function CsvPreview({ rows, truncated }: CsvPreviewProps) {
  if (rows.length === 0) return <p class="muted">Empty file.</p>;
  const [head, ...body] = rows;
  const width = Math.max(...rows.map((r) => r.length));
  const pad = (r: string[]) => r.length < width ? [...r, ...Array(width - r.length).fill("")] : r;
  return (
    <>
      <div class="table-wrap artifacts__table">
        <table class="table table--compact">
          <thead>
            <tr>{pad(head).map((h, i) => <th key={i} scope="col">{h}</th>)}</tr>
          </thead>
          <tbody>
            {body.map((r, i) => <tr key={i}>{pad(r).map((v, j) => <td key={j}>{v}</td>)}</tr>)}
          </tbody>
        </table>
      </div>
      <p class="muted">
        {truncated
          ? `Showing the first ${body.length} rows. Download for the whole file.`
          : `${body.length} row${body.length === 1 ? "" : "s"}.`}
      </p>
    </>
  );
}
