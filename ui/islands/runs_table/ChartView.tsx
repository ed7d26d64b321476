import { useEffect, useState } from "preact/hooks";
import { isAbort, searchRuns } from "../api.ts";
import { AxisOptions } from "../charts/AxisOptions.tsx";
import { Smoothing } from "../charts/Smoothing.tsx";
import { groupValue } from "../charts/group.ts";
import { runColorSlot } from "../charts/run_color.ts";
import { useSchemeChange } from "../charts/use_scheme.ts";
import { ChartCard, type ChartRun } from "./ChartCard.tsx";
import {
  cardKeys,
  chartedRuns,
  type ChartViewState,
  MAX_CHART_RUNS,
  moveCard,
} from "./chart_state.ts";
import { runIdsFilter } from "./live.ts";
import { seenKeys, slimRun, type TableRun } from "./state.ts";

/** Props of {@linkcode ChartView}. */
export interface ChartViewProps {
  experimentId: string;
  /** The runs the table has loaded (its search, order and pages). */
  runs: TableRun[];
  state: ChartViewState;
  onChange: (state: ChartViewState) => void;
}

const runName = (r: TableRun) => r.info.run_name || r.info.run_id;

/** The step and time of a run's latest `key` point (search results carry it). */
const latestOf = (r: TableRun, key: string) => {
  const m = r.data.metrics.find((m) => m.key === key);
  return m ? `${m.step}@${m.timestamp}` : "";
};

/** `xs` with `x` added or removed. */
const toggled = (xs: string[], x: string, on: boolean) =>
  on ? [...xs.filter((y) => y !== x), x] : xs.filter((y) => y !== x);

/**
 * The experiment page's chart view: a card per metric of the shown runs (searchable, reorderable,
 * each with its own y axis and log switch), one colour per run as in the table, runs hidden or
 * pinned from the list beside the cards, and runs grouped by a param or tag (mean and min–max
 * band per value). Shared x axis and smoothing as on the run page. Each card makes one bulk
 * request; pinned runs the search no longer returns are fetched once, by id.
 */
export function ChartView({ experimentId, runs, state, onChange }: ChartViewProps) {
  const scheme = useSchemeChange();
  // Pinned runs seen so far, so they stay when a new search leaves them out.
  const [kept, setKept] = useState<ReadonlyMap<string, TableRun>>(new Map());
  const [focusMove, setFocusMove] = useState<{ key: string; by: -1 | 1 } | null>(null);
  const set = (patch: Partial<ChartViewState>) => onChange({ ...state, ...patch });

  const loadedById = new Map(runs.map((r) => [r.info.run_id, r]));
  const missing = state.pinned.filter((id) => !loadedById.has(id) && !kept.has(id));
  const missingKey = missing.join(",");
  useEffect(() => {
    const have = state.pinned.filter((id) =>
      loadedById.has(id) && kept.get(id) !== loadedById.get(id)
    );
    if (have.length > 0) {
      setKept((k) => new Map([...k, ...have.map((id) => [id, loadedById.get(id)!] as const)]));
    }
  }, [runs, state.pinned.join(",")]);
  useEffect(() => {
    const ids = missing.filter((id) => /^[\w-]+$/.test(id));
    if (ids.length === 0) return;
    const ctl = new AbortController();
    searchRuns({
      experimentIds: [experimentId],
      filter: runIdsFilter(ids),
      runViewType: "ALL",
      maxResults: ids.length,
    }, ctl.signal).then((res) => {
      const found = (res.runs ?? []).map(slimRun);
      setKept((k) => new Map([...k, ...found.map((r) => [r.info.run_id, r] as const)]));
    }).catch((err) => {
      // A pinned run that cannot be read any more just drops out of the charts.
      if (!isAbort(err)) return;
    });
    return () => ctl.abort();
  }, [missingKey]);

  useEffect(() => {
    if (!focusMove) return;
    document.querySelector<HTMLButtonElement>(
      `[data-chart-card][data-key="${CSS.escape(focusMove.key)}"] [data-move="${focusMove.by}"]`,
    )?.focus();
    setFocusMove(null);
  }, [focusMove]);

  const pinned = state.pinned.map((id) => loadedById.get(id) ?? kept.get(id))
    .filter((r): r is TableRun => r !== undefined);
  const pinnedSet = new Set(state.pinned);
  const shown = chartedRuns(pinned, runs);
  const total = pinned.length + runs.filter((r) => !pinnedSet.has(r.info.run_id)).length;
  const hidden = new Set(state.hidden);
  const keys = seenKeys(shown);
  const allCards = cardKeys(keys.metrics, state.order, "");
  const cards = cardKeys(keys.metrics, state.order, state.search);
  const chartRuns = (key: string): ChartRun[] =>
    shown.filter((r) => r.data.metrics.some((m) => m.key === key)).map((r) => ({
      latest: latestOf(r, key),
      id: r.info.run_id,
      name: runName(r),
      slot: runColorSlot(r.info.run_id),
      startTime: r.info.start_time,
      group: state.group ? groupValue(r.data, state.group) : "",
      hidden: hidden.has(r.info.run_id),
    }));
  const groupChoices = [
    ...keys.params.map((k) => ({ id: `params.${k}`, label: `Param: ${k}` })),
    ...keys.tags.map((k) => ({ id: `tags.${k}`, label: `Tag: ${k}` })),
  ];
  const allLog = cards.length > 0 && cards.every((k) => state.log.includes(k));
  const hiddenCount = shown.filter((r) => hidden.has(r.info.run_id)).length;

  function move(key: string, by: -1 | 1) {
    set({ order: moveCard(allCards, cards, key, by) });
    setFocusMove({ key, by });
  }

  return (
    <div class="cv" data-chart-view>
      <div class="chart-controls cv-controls">
        <label class="cv-search">
          <span class="visually-hidden">Search charts</span>
          <input
            type="search"
            placeholder="Search metrics"
            value={state.search}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => set({ search: e.currentTarget.value })}
          />
        </label>
        <AxisOptions
          mode={state.x}
          onMode={(x) => set({ x })}
          log={allLog}
          onLog={(on) =>
            set({
              log: on
                ? [...new Set([...state.log, ...cards])]
                : state.log.filter((k) => !cards.includes(k)),
            })}
        >
          <Smoothing value={state.smooth} onSet={(smooth) => set({ smooth })} />
          <label>
            Group by{" "}
            <select
              value={state.group}
              onChange={(e) => set({ group: (e.target as HTMLSelectElement).value })}
            >
              <option value="">None (one line per run)</option>
              {groupChoices.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
            </select>
          </label>
        </AxisOptions>
      </div>
      {total > shown.length && (
        <p class="notice" role="note">
          <span>
            Charts show the first {MAX_CHART_RUNS} of the {total} loaded runs.
          </span>
        </p>
      )}
      <div class="cv-body">
        <aside class="cv-runs" aria-label="Runs in the charts">
          <p class="cv-runs__head muted">
            {shown.length} run{shown.length === 1 ? "" : "s"}
            {hiddenCount > 0 && `, ${hiddenCount} hidden`}
            {hiddenCount > 0 && (
              <button
                type="button"
                class="button button--small button--link"
                onClick={() => set({ hidden: [] })}
              >
                Show all
              </button>
            )}
            {hiddenCount < shown.length && (
              <button
                type="button"
                class="button button--small button--link"
                onClick={() => set({ hidden: shown.map((r) => r.info.run_id) })}
              >
                Hide all
              </button>
            )}
          </p>
          <ul class="cv-runs__list">
            {shown.map((r) => {
              const id = r.info.run_id;
              const name = runName(r);
              const off = hidden.has(id);
              const pin = pinnedSet.has(id);
              return (
                <li key={id} data-run-id={id} class={off ? "is-hidden" : undefined}>
                  <button
                    type="button"
                    class="cv-icon"
                    aria-pressed={off ? "false" : "true"}
                    aria-label={`Show ${name}`}
                    data-eye
                    title={off ? "Show in charts" : "Hide from charts"}
                    onClick={() => set({ hidden: toggled(state.hidden, id, !off) })}
                  />
                  <button
                    type="button"
                    class="cv-icon"
                    aria-pressed={pin ? "true" : "false"}
                    aria-label={`Pin ${name}`}
                    data-pin
                    title={pin ? "Unpin" : "Pin: keep in the charts whatever the search"}
                    onClick={() => set({ pinned: toggled(state.pinned, id, !pin) })}
                  />
                  <span class={`cmp-swatch cmp-c${runColorSlot(id)}`} aria-hidden="true" />
                  <a href={`/runs/${encodeURIComponent(id)}`} title={`${name} (${id})`}>{name}</a>
                </li>
              );
            })}
          </ul>
        </aside>
        <div class="cv-cards">
          {allCards.length === 0 && (
            <p class="muted">
              {shown.length === 0 ? "No runs to chart." : "These runs have no metrics."}
            </p>
          )}
          {allCards.length > 0 && cards.length === 0 && (
            <p class="muted">No metric matches “{state.search}”.</p>
          )}
          {cards.map((key, i) => (
            <ChartCard
              key={key}
              metricKey={key}
              runs={chartRuns(key)}
              grouped={!!state.group}
              mode={state.x}
              log={state.log.includes(key)}
              weight={state.smooth}
              scheme={scheme}
              first={i === 0}
              last={i === cards.length - 1}
              onMove={(by) => move(key, by)}
              onLog={(on) => set({ log: toggled(state.log, key, on) })}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
