import { useRef, useState } from "preact/hooks";
import type { RunsView } from "./state.ts";
import { newRunsText, useNewRuns } from "./new_runs.ts";

/** Props of {@linkcode NewRunsNotice}. */
export interface NewRunsNoticeProps {
  experimentIds: string[];
  /** The table's filter, view and order, as in the URL. */
  filter: string;
  view: RunsView;
  order: string;
  /** The table's loaded runs: anything as new as these has been seen. */
  rows: readonly { info: { start_time: number } }[];
  /** False while the table shows a search error: the same search would fail again. */
  enabled: boolean;
  /** Reloads the table's first page with its current state (the URL's). */
  onRefresh: () => Promise<unknown>;
  /** Between checks, in ms (tests shorten it); see `NEW_RUNS_MS`. */
  intervalMs?: number;
}

/** Whether an `order` clause lists the newest runs first (the table's default order). */
export function isNewestFirst(order: string): boolean {
  return order === "" || /^(attributes\.)?start_time\s+DESC$/i.test(order.trim());
}

/**
 * "3 new runs — Refresh": shown above the runs table once runs matching its filter started after
 * the newest it has loaded (checked cheaply, see new_runs.ts). Refresh reloads the table with the
 * URL's state and moves focus to its first run. The `role="status"` box stays in the page, empty,
 * so screen readers announce the notice when it appears.
 */
export function NewRunsNotice(props: NewRunsNoticeProps) {
  const { count, more, reset } = useNewRuns(
    {
      experimentIds: props.experimentIds,
      filter: props.filter,
      view: props.view,
      newestFirst: isNewestFirst(props.order),
    },
    props.rows,
    props.enabled,
    props.intervalMs,
  );
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  async function refresh() {
    setBusy(true);
    try {
      await props.onRefresh();
      reset();
    } finally {
      setBusy(false);
    }
    // The button goes away with the notice: keep keyboard users at the runs just shown.
    const table = box.current?.closest(".runs-table");
    (table?.querySelector<HTMLElement>(".rt-table tbody a") ??
      table?.querySelector<HTMLElement>("#runs-filter"))?.focus();
  }

  return (
    <div class="rt-new-runs" role="status" ref={box}>
      {count > 0 && (
        <p class="notice rt-new-runs__notice" data-new-runs={count}>
          <span>{newRunsText(count, more)} since the table loaded</span>
          <button
            type="button"
            class="button button--small"
            disabled={busy}
            onClick={refresh}
          >
            Refresh
          </button>
        </p>
      )}
    </div>
  );
}
