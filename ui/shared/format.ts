/**
 * Display formatting shared by server-rendered pages and islands. Pure functions of their
 * arguments (the time zone is the runtime's: the server's for the first render, the browser's
 * once an island hydrates).
 *
 * @module
 */

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A timestamp as `YYYY-MM-DD HH:mm` in local time; `—` for a missing or zero time.
 *
 * @example
 * ```ts
 * formatDateTime(Date.UTC(2024, 0, 2, 3, 4)); // "2024-01-02 03:04" in UTC
 * ```
 */
export function formatDateTime(ms: number | undefined): string {
  if (!ms) return "—";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A timestamp as an ISO string for `<time dateTime>`; empty for a missing time. */
export function isoDateTime(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString() : "";
}

/**
 * How long ago `ms` was, seen at `now`: `just now`, `3 min ago`, `5 h ago`, `12 d ago`; past 30
 * days the date itself ({@linkcode formatDateTime}), which reads better than "400 d ago". A time
 * ahead of `now` (a client clock behind the server's) is "just now". `—` for a missing time.
 *
 * @example
 * ```ts
 * formatRelative(now - 3 * 60_000, now); // "3 min ago"
 * ```
 */
export function formatRelative(ms: number | undefined, now: number): string {
  if (!ms) return "—";
  const s = (now - ms) / 1000;
  if (s < 60) return "just now";
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d <= 30) return `${d} d ago`;
  return formatDateTime(ms);
}

/**
 * A duration in milliseconds, short and human: `850ms`, `12.4s`, `3m 05s`, `2h 01m`, `3d 4h`.
 * `—` when unknown (negative or missing).
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !(ms >= 0)) return "—";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(Math.floor(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * A metric value for a table cell: integers as is, others to 6 significant digits.
 *
 * @example
 * ```ts
 * formatNumber(0.123456789); // "0.123457"
 * formatNumber(1234567); // "1234567"
 * ```
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(6)).toString();
}
