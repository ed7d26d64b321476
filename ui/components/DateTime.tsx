import { formatDateTime, formatRelative, isoDateTime } from "../shared/format.ts";

/**
 * A timestamp (ms since the epoch) as a `<time>` element: short local text, ISO in `title`.
 * Given `now`, the text is relative ("3 min ago") and `title` holds the local time and the ISO.
 */
export function DateTime({ ms, now }: { ms: number | undefined; now?: number }) {
  if (!ms) return <span class="muted">—</span>;
  const iso = isoDateTime(ms);
  if (now === undefined) return <time dateTime={iso} title={iso}>{formatDateTime(ms)}</time>;
  return (
    <time dateTime={iso} title={`${formatDateTime(ms)} (${iso})`}>{formatRelative(ms, now)}</time>
  );
}
