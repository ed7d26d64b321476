/**
 * CSV text for the runs export (`runs/export-csv`): cells quoted per RFC 4180, strings guarded
 * against spreadsheet formula injection, numbers written so pandas reads them back as floats.
 *
 * @module
 */

/** A plain decimal or scientific number, which spreadsheets read as a number, not a formula. */
const NUMBER_RE = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * One text cell. Text starting with `= + - @`, a tab or a CR gets a leading `'`, so Excel,
 * LibreOffice and Google Sheets show it as text instead of running it as a formula (OWASP's CSV
 * injection advice); text that is a plain number (`-0.5`, a param) is left alone so it stays a
 * number. Cells holding `"`, `,`, CR or LF are quoted with `"` doubled (RFC 4180).
 */
export function csvText(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) && !NUMBER_RE.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/**
 * One number cell: never guarded (it cannot be a formula); NaN and ±Infinity as `NaN`, `inf`,
 * `-inf`, the spellings pandas' `read_csv` parses as floats.
 */
export function csvNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return String(value);
}

/** One record: cells already encoded, joined by `,` and ended by CRLF (RFC 4180). */
export function csvRecord(cells: readonly string[]): string {
  return cells.join(",") + "\r\n";
}

/** An epoch-milliseconds time as ISO 8601 UTC (`2026-12-05T22:51:55.000Z`); "" when absent. */
export function isoTime(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? "" : new Date(ms).toISOString();
}

/**
 * A safe download name for runs of these experiments: ASCII letters, digits, `-` and `_` only,
 * so no header or path tricks ride on user input (`runs-1.csv`, `runs-1-2.csv`,
 * `runs-1-and-7-more.csv`).
 */
export function exportFileName(experimentIds: readonly string[]): string {
  const safe = experimentIds.map((id) => id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40));
  const named = safe.length <= 3 ? safe.join("-") : `${safe[0]}-and-${safe.length - 1}-more`;
  return `runs-${named || "none"}.csv`;
}
