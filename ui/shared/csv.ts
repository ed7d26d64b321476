/**
 * A small RFC 4180 reader for previews of CSV and TSV artifacts (and the export's tests): quoted
 * fields with doubled quotes, CRLF / LF / CR line ends, a delimiter per file type. It stops after
 * `maxRows` records so a large file costs only what is shown.
 *
 * @module
 */

/** The records read and whether the text held more than `maxRows`. */
export interface CsvTable {
  rows: string[][];
  truncated: boolean;
}

/**
 * Parses `text` (a leading UTF-8 BOM is dropped). A quote opens a quoted field only at the start
 * of a field, as in RFC 4180; elsewhere it is a plain character. A final record cut off by a
 * truncated download is kept as read.
 */
export function parseCsv(text: string, delimiter = ",", maxRows = Infinity): CsvTable {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  let fieldStart = true;
  const n = text.length;
  const endRecord = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = "";
    fieldStart = true;
  };
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
      i++;
      continue;
    }
    if (ch === delimiter) {
      row.push(field);
      field = "";
      fieldStart = true;
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      if (rows.length >= maxRows) return { rows, truncated: i < n };
      continue;
    }
    field += ch;
    fieldStart = false;
    i++;
  }
  if (field !== "" || row.length > 0 || quoted) endRecord();
  return { rows, truncated: false };
}
