import { formatDateTime, isoDateTime } from "../shared/format.ts";

/** A timestamp (ms since the epoch) as a `<time>` element: short local text, ISO in `title`. */
export function DateTime({ ms }: { ms: number | undefined }) {
  if (!ms) return <span class="muted">—</span>;
  const iso = isoDateTime(ms);
  return <time dateTime={iso} title={iso}>{formatDateTime(ms)}</time>;
}
