import type { TargetedEvent } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { DateTime } from "../components/DateTime.tsx";
import { RunStatus } from "../components/RunStatus.tsx";
import { SearchField } from "../components/SearchField.tsx";
import { DismissibleNotice } from "../components/DismissibleNotice.tsx";
import { TableFoot } from "../components/TableFoot.tsx";
import { ViewToggle } from "../components/ViewToggle.tsx";
import { formatDuration } from "../shared/format.ts";
import { errorMessage, isAbort, searchRuns } from "./api.ts";
import { deleteRun, exportCsvUrl, restoreRun } from "./runs_table/api.ts";
import { deleteRunPermanently } from "./purge_api.ts";
import { PurgeConfirm } from "../components/PurgeConfirm.tsx";
import { DeleteConfirm } from "../components/DeleteConfirm.tsx";
import { isLive, mergeFresh, useLiveRuns } from "./runs_table/live.ts";
import { DisplayToggle } from "../components/DisplayToggle.tsx";
import { ChartView } from "./runs_table/ChartView.tsx";
import { emptyChartState } from "./runs_table/chart_state.ts";
import { runColorSlot } from "./charts/run_color.ts";
import { ColumnChooser } from "./runs_table/ColumnChooser.tsx";
import { useColumnWidths } from "./runs_table/ColumnResizer.tsx";
import { DatasetCell, ModelsCell } from "./runs_table/cells.tsx";
import { useRunVersions } from "./runs_table/versions.ts";
import { NewRunsNotice } from "./runs_table/NewRunsNotice.tsx";
import {
  cellValue,
  type ExtraColumn,
  formatValue,
  orderByOf,
  parseColumn,
  quotedField,
  runsStateQuery,
  type RunsTableState,
  type RunsView,
  runViewType,
  seenKeys,
  slimRun,
  SOURCE_TAG,
  splitOrder,
  type TableRun,
  treeRows,
} from "./runs_table/state.ts";

/** Props of {@linkcode RunsTable}: the server's first page, so the first paint has data. */
export interface RunsTableProps {
  experimentId: string;
  runs: TableRun[];
  nextPageToken: string | null;
  /** Filter, order, view, columns and selection, as read from the page URL. */
  state: RunsTableState;
  /** The API's message when the server-side search failed (a bad `?filter=` or `?order=`). */
  error: string | null;
  /** `max_results` of every search, the first page included. */
  pageSize: number;
  /** How often running runs are refreshed, in ms. */
  pollMs: number;
  /** Whether the viewer may delete deleted runs permanently (MANAGE on the experiment). */
  canPurge?: boolean;
  /**
   * Several experiments' runs in one table (`/experiments/compare/1,2`), with an Experiment
   * column; absent, the table holds `experimentId`'s runs.
   */
  experiments?: { experiment_id: string; name: string }[];
}

/**
 * The fixed columns; `field` is the `order_by` identifier when the column sorts, `text` marks
 * the columns whose first click sorts A→Z (numbers and times start with the largest).
 */
const BASE_COLUMNS: { id: string; label: string; field?: string; class?: string; text?: true }[] = [
  {
    id: "name",
    label: "Run name",
    field: "attributes.run_name",
    class: "cell-name",
    text: true,
  },
  { id: "created", label: "Created", field: "attributes.start_time", class: "col-time" },
  { id: "duration", label: "Duration", class: "num" },
  { id: "user", label: "User", field: "attributes.user_id", text: true },
  {
    id: "source",
    label: "Source",
    field: quotedField("tags", SOURCE_TAG),
    class: "rt-source",
    text: true,
  },
  { id: "status", label: "Status", field: "attributes.status", text: true },
  { id: "dataset", label: "Dataset", class: "rt-datasets" },
  { id: "models", label: "Models", class: "rt-models" },
];

/** The order extra columns are shown in, so each header group is one run of columns. */
const TYPE_ORDER = ["metrics", "params", "tags"] as const;

/** How often relative times ("3 min ago") and running runs' elapsed time are redrawn, in ms. */
const CLOCK_MS = 30_000;

const TYPE_LABELS = { metrics: "Metrics", params: "Parameters", tags: "Tags" } as const;

interface Message {
  kind: "info" | "error";
  text: string;
  /** Offer "Undo" (restore) for these just-deleted run ids. */
  undo?: string[];
}

/** "1 run", "3 runs". */
function runCount(n: number): string {
  return `${n} run${n === 1 ? "" : "s"}`;
}

function tagOf(run: TableRun, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

function runName(run: TableRun): string {
  return run.info.run_name || run.info.run_id;
}

/** The run's duration; a running run's time so far (`now` minus its start). */
function duration(run: TableRun, now: number): string {
  const { start_time, end_time, status } = run.info;
  if (end_time !== undefined) return formatDuration(end_time - start_time);
  return status === "RUNNING" ? formatDuration(now - start_time) : "—";
}

/**
 * The runs of an experiment: sortable headers, the full filter grammar, extra metric / param / tag
 * columns, nested runs, selection with Compare / Delete / Restore, Active / Deleted / All,
 * "Load more" paging and a CSV of what is loaded. Everything but paging lives in the URL.
 */
export function RunsTable(props: RunsTableProps) {
  const [rows, setRows] = useState(props.runs);
  const [next, setNext] = useState(props.nextPageToken);
  const [state, setState] = useState(props.state);
  const [filterText, setFilterText] = useState(props.state.filter);
  const [searchError, setSearchError] = useState(props.error);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmPurge, setConfirmPurge] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const pending = useRef<AbortController | null>(null);
  const root = useRef<HTMLElement>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const widths = useColumnWidths(tableRef, !state.charts);
  const versions = useRunVersions(rows);
  const [now, setNow] = useState(() => Date.now());
  const expIds = props.experiments?.map((e) => e.experiment_id) ?? [props.experimentId];
  const expNames = new Map(props.experiments?.map((e) => [e.experiment_id, e.name]));
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);

  useLiveRuns(
    expIds,
    rows,
    (fresh) => setRows((prev) => mergeFresh(prev, fresh)),
    props.pollMs,
  );
  const liveCount = rows.filter(isLive).length;

  // Grouped by type (metrics, params, tags) for the header groups; the URL keeps the user's order.
  const columns = state.cols.map(parseColumn).filter((c): c is ExtraColumn => c !== null)
    .sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type));
  const groups = TYPE_ORDER.map((type) => ({
    type,
    span: columns.filter((c) => c.type === type).length,
  })).filter((g) => g.span > 0);
  const sort = splitOrder(state.order);
  const selected = new Set(state.sel);
  // The chart view hides the table: no rows to render or hydrate under it.
  const shown = state.charts ? [] : treeRows(rows, collapsed);
  const keys = seenKeys(rows);
  for (const c of columns) {
    if (!keys[c.type].includes(c.key)) keys[c.type] = [...keys[c.type], c.key];
  }

  /** Puts `s` in the URL (replaceState) and in state. */
  function commit(s: RunsTableState) {
    setState(s);
    history.replaceState(null, "", `${location.pathname}${runsStateQuery(s)}`);
  }

  async function load(s: RunsTableState, pageToken?: string) {
    pending.current?.abort();
    const ac = new AbortController();
    pending.current = ac;
    setLoading(true);
    try {
      const res = await searchRuns({
        experimentIds: expIds,
        filter: s.filter.trim(),
        orderBy: orderByOf(s),
        runViewType: runViewType(s.view),
        maxResults: props.pageSize,
        pageToken,
      }, ac.signal);
      const found = (res.runs ?? []).map(slimRun);
      setRows((prev) => pageToken ? [...prev, ...found] : found);
      setNext(res.next_page_token ?? null);
      setSearchError(null);
    } catch (err) {
      if (isAbort(err)) return;
      setSearchError(errorMessage(err));
      if (!pageToken) {
        setRows([]);
        setNext(null);
      }
    } finally {
      if (pending.current === ac) setLoading(false);
    }
  }

  function update(patch: Partial<RunsTableState>, reload = true) {
    const s = { ...state, ...patch };
    commit(s);
    if (reload) load(s);
  }

  function onFilterSubmit(e: TargetedEvent<HTMLFormElement>) {
    e.preventDefault();
    update({ filter: filterText.trim() });
  }

  function onSort(field: string, text: boolean) {
    const desc = sort?.field === field ? !sort.desc : !text;
    update({ order: `${field} ${desc ? "DESC" : "ASC"}` });
  }

  function onViewSelect(v: RunsView) {
    setMessage(null);
    update({ view: v });
  }

  function toggleColumn(id: string) {
    const cols = state.cols.includes(id) ? state.cols.filter((c) => c !== id) : [...state.cols, id];
    // Loaded rows already carry every metric, param and tag: no new search needed.
    update({ cols }, false);
  }

  function toggleSelect(id: string) {
    const sel = selected.has(id) ? state.sel.filter((s) => s !== id) : [...state.sel, id];
    update({ sel }, false);
  }

  const visibleIds = shown.map((r) => r.run.info.run_id);
  const allSelected = visibleIds.length > 0 && visibleIds.every((id) => selected.has(id));
  function toggleAll() {
    const sel = allSelected
      ? state.sel.filter((id) => !visibleIds.includes(id))
      : [...new Set([...state.sel, ...visibleIds])];
    update({ sel }, false);
  }

  function toggleCollapsed(id: string) {
    const s = new Set(collapsed);
    if (!s.delete(id)) s.add(id);
    setCollapsed(s);
  }

  /** Deletes, restores or purges the selected runs, or `only` these ids (an Undo's). */
  async function lifecycle(action: "delete" | "restore" | "purge", only?: string[]) {
    setConfirmPurge(false);
    setConfirmDelete(false);
    const ids = only ?? state.sel.filter((id) =>
      rows.some((r) =>
        r.info.run_id === id &&
        // Delete takes the active ones only, so its count and its Undo match what it changed.
        (action === "restore" || (r.info.lifecycle_stage === "deleted") === (action === "purge"))
      )
    );
    if (ids.length === 0) return;
    setBusy(true);
    const done: string[] = [];
    let failure: string | null = null;
    for (const id of ids) {
      try {
        await (action === "delete"
          ? deleteRun(id)
          : action === "restore"
          ? restoreRun(id)
          : deleteRunPermanently(id));
        done.push(id);
      } catch (err) {
        failure = errorMessage(err);
        break;
      }
    }
    const stage = action === "restore" ? "active" : "deleted";
    const hidden = action === "purge" || (state.view === "active" && stage === "deleted") ||
      (state.view === "deleted" && stage === "active");
    const doneSet = new Set(done);
    setRows((prev) =>
      hidden
        ? prev.filter((r) => !doneSet.has(r.info.run_id))
        : prev.map((r) =>
          doneSet.has(r.info.run_id) ? { ...r, info: { ...r.info, lifecycle_stage: stage } } : r
        )
    );
    if (hidden) update({ sel: state.sel.filter((id) => !doneSet.has(id)) }, false);
    const verb = { delete: "Deleted", restore: "Restored", purge: "Permanently deleted" }[action];
    setMessage(
      failure ? { kind: "error", text: failure } : {
        kind: "info",
        text: `${verb} ${runCount(done.length)}`,
        undo: action === "delete" ? done : undefined,
      },
    );
    setBusy(false);
    root.current?.querySelector<HTMLElement>("#runs-filter")?.focus();
  }

  /** Undo: restores the runs just deleted and reloads, so they return in the table's order. */
  async function undoDelete(ids: string[]) {
    await lifecycle("restore", ids);
    await load(state);
  }

  const compareHref = `/compare?${new URLSearchParams({ runs: state.sel.join(",") })}`;
  const hasDeletedSelected = rows.some((r) =>
    selected.has(r.info.run_id) && r.info.lifecycle_stage === "deleted"
  );
  const activeSelected =
    rows.filter((r) => selected.has(r.info.run_id) && r.info.lifecycle_stage !== "deleted").length;
  const hasActiveSelected = activeSelected > 0;
  const colCount = 1 + BASE_COLUMNS.length + columns.length + (props.experiments ? 1 : 0);

  function header(
    label: string,
    field: string | undefined,
    cls?: string,
    key?: string,
    title?: string,
    text = false,
  ) {
    const active = field !== undefined && sort?.field === field;
    const ariaSort = active ? (sort!.desc ? "descending" : "ascending") : undefined;
    const col = key ?? label;
    return (
      <th key={col} scope="col" class={cls} aria-sort={ariaSort} data-col={col}>
        {field === undefined
          ? label
          : (
            <button type="button" class="rt-sort" title={title} onClick={() => onSort(field, text)}>
              <span>{label}</span>
              <span class="rt-sort__icon" aria-hidden="true">
                {active ? (sort!.desc ? "↓" : "↑") : "↕"}
              </span>
            </button>
          )}
        {widths.handle(col, label)}
      </th>
    );
  }

  return (
    <section class="runs-table" ref={root} aria-label="Runs">
      <div class="toolbar">
        <form class="search rt-filter" role="search" method="get" onSubmit={onFilterSubmit}>
          <SearchField
            id="runs-filter"
            label="Filter runs"
            value={filterText}
            placeholder="metrics.rmse < 1 and params.model = 'tree'"
            invalid={!!searchError}
            onInput={setFilterText}
          />
          {state.order && <input type="hidden" name="order" value={state.order} />}
          {state.view !== "active" && <input type="hidden" name="view" value={state.view} />}
          {state.cols.map((c) => <input key={c} type="hidden" name="col" value={c} />)}
          {state.charts && <input type="hidden" name="view" value="charts" />}
        </form>
        <ViewToggle
          view={state.view}
          href={(v) => runsStateQuery({ ...state, view: v, sel: [] }) || "?"}
          onSelect={onViewSelect}
        />
        <DisplayToggle
          display={state.charts ? "charts" : "table"}
          href={(d) =>
            runsStateQuery({
              ...state,
              charts: d === "charts" ? state.charts ?? emptyChartState() : undefined,
            }) ||
            "?"}
          onSelect={(d) =>
            update(
              { charts: d === "charts" ? state.charts ?? emptyChartState() : undefined },
              false,
            )}
        />
        <ColumnChooser
          experimentIds={expIds}
          seen={keys}
          cols={state.cols}
          onToggle={toggleColumn}
        />
        {
          /* The server streams every param, metric and tag of all matching runs, not only the
            loaded rows and chosen columns. */
        }
        <a
          class="button"
          href={exportCsvUrl({
            experimentIds: expIds,
            filter: state.filter,
            orderBy: orderByOf(state),
            runViewType: runViewType(state.view),
          })}
          download
          title="Every param, metric and tag of all runs matching the filter"
        >
          Download CSV
        </a>
      </div>
      {searchError && <p id="runs-filter-error" class="field-error" role="alert">{searchError}</p>}
      <div class="rt-actions" aria-live="polite">
        <span class="muted">{state.sel.length} selected</span>
        {liveCount > 0 && (
          <span class="rt-live" title="Running runs refresh every few seconds" data-live>
            {liveCount} running, updating live
          </span>
        )}
        {state.sel.length > 0 && (
          <>
            <a class="button button--small" href={compareHref} data-compare>
              Compare {state.sel.length}
            </a>
            {hasActiveSelected && (
              <DeleteConfirm
                confirming={confirmDelete}
                what={runCount(activeSelected)}
                busy={busy}
                onAsk={() => setConfirmDelete(true)}
                onConfirm={() => lifecycle("delete")}
                onCancel={() => setConfirmDelete(false)}
              />
            )}
            {hasDeletedSelected && (
              <button
                type="button"
                class="button button--small"
                disabled={busy}
                onClick={() => lifecycle("restore")}
              >
                Restore
              </button>
            )}
            {hasDeletedSelected && props.canPurge && (
              <PurgeConfirm
                confirming={confirmPurge}
                what="the selected deleted runs"
                busy={busy}
                onAsk={() => setConfirmPurge(true)}
                onConfirm={() => lifecycle("purge")}
                onCancel={() => setConfirmPurge(false)}
              />
            )}
            <button
              type="button"
              class="button button--small button--link"
              onClick={() => update({ sel: [] }, false)}
            >
              Clear selection
            </button>
          </>
        )}
      </div>
      <NewRunsNotice
        experimentIds={expIds}
        filter={state.filter}
        view={state.view}
        order={state.order}
        rows={rows}
        enabled={!searchError}
        onRefresh={() => load(state)}
      />
      <div class="message-slot" aria-live="polite">
        {message && (
          <DismissibleNotice
            kind={message.kind}
            text={message.text}
            onDismiss={() => setMessage(null)}
            onUndo={message.undo && (() => undoDelete(message.undo!))}
          />
        )}
      </div>
      {state.charts && (
        <ChartView
          experimentId={props.experimentId}
          runs={rows}
          state={state.charts}
          onChange={(charts) => update({ charts }, false)}
        />
      )}
      <div class="table-wrap" hidden={!!state.charts}>
        <table ref={tableRef} class="table rt-table" aria-busy={loading ? "true" : undefined}>
          <thead>
            {groups.length > 0 && (
              <tr class="rt-groups">
                {/* Two cells, so the one over the pinned check and name columns stays put too. */}
                <th colSpan={2} class="rt-groups__pin">
                  <span class="visually-hidden">Run</span>
                </th>
                <th colSpan={BASE_COLUMNS.length - 1 + (props.experiments ? 1 : 0)} />
                {groups.map((g) => (
                  <th
                    key={g.type}
                    scope="colgroup"
                    colSpan={g.span}
                    class={`rt-group rt-group--${g.type}`}
                  >
                    {TYPE_LABELS[g.type]}
                  </th>
                ))}
              </tr>
            )}
            <tr>
              <th scope="col" class="rt-check">
                <input
                  type="checkbox"
                  aria-label="Select all shown runs"
                  checked={allSelected}
                  disabled={visibleIds.length === 0}
                  onChange={toggleAll}
                />
              </th>
              {BASE_COLUMNS.map((c) => header(c.label, c.field, c.class, c.id, undefined, c.text))}
              {props.experiments && <th scope="col" class="rt-experiment">Experiment</th>}
              {columns.map((c) =>
                header(
                  c.key,
                  quotedField(c.type, c.key),
                  `rt-extra rt-extra--${c.type}`,
                  c.id,
                  `${TYPE_LABELS[c.type]}: ${c.key}`,
                  c.type !== "metrics",
                )
              )}
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={colCount} class="empty">
                  {searchError
                    ? "—"
                    : state.filter
                    ? "No runs match this filter."
                    : state.view === "deleted"
                    ? "No deleted runs."
                    : "No runs yet. Log one with mlflow.start_run()."}
                </td>
              </tr>
            )}
            {shown.map(({ run, depth, children }) => {
              const id = run.info.run_id;
              const name = runName(run);
              const deleted = run.info.lifecycle_stage === "deleted";
              const isCollapsed = collapsed.has(id);
              const source = tagOf(run, SOURCE_TAG);
              return (
                <tr
                  key={id}
                  data-run-id={id}
                  class={[deleted && "is-deleted", selected.has(id) && "is-selected"]
                    .filter(Boolean).join(" ") || undefined}
                >
                  <td class="rt-check">
                    <input
                      type="checkbox"
                      aria-label={`Select ${name}`}
                      checked={selected.has(id)}
                      onChange={() => toggleSelect(id)}
                    />
                  </td>
                  <td class={`cell-name rt-depth-${Math.min(depth, 5)}`}>
                    {children > 0
                      ? (
                        <button
                          type="button"
                          class="rt-expander"
                          aria-expanded={isCollapsed ? "false" : "true"}
                          aria-label={`${
                            isCollapsed ? "Expand" : "Collapse"
                          } ${name} (${children} child run${children === 1 ? "" : "s"})`}
                          onClick={() => toggleCollapsed(id)}
                        >
                          {isCollapsed ? "▸" : "▾"}
                        </button>
                      )
                      : depth > 0 && (
                        <span class="rt-expander rt-expander--leaf" aria-hidden="true" />
                      )}
                    <span class={`cmp-swatch cmp-c${runColorSlot(id)}`} aria-hidden="true" />
                    <a href={`/runs/${encodeURIComponent(id)}`} title={`${name} (${id})`}>{name}</a>
                    {deleted && <span class="badge badge--deleted">Deleted</span>}
                  </td>
                  <td class="col-time">
                    <DateTime ms={run.info.start_time} now={now} />
                  </td>
                  <td class="num">{duration(run, now)}</td>
                  <td class="rt-text" title={run.info.user_id}>{run.info.user_id}</td>
                  <td class="rt-source" title={source}>{source ?? ""}</td>
                  <td>
                    <RunStatus status={run.info.status} />
                  </td>
                  <DatasetCell run={run} />
                  <ModelsCell run={run} versions={versions.get(id)} />
                  {props.experiments && (
                    <td class="rt-text rt-experiment">
                      <a href={`/experiments/${encodeURIComponent(run.info.experiment_id)}`}>
                        {expNames.get(run.info.experiment_id) ?? run.info.experiment_id}
                      </a>
                    </td>
                  )}
                  {columns.map((c) => (
                    <td
                      key={c.id}
                      class={c.type === "metrics" ? "num" : "rt-text"}
                      title={c.type === "metrics" ? undefined : formatValue(cellValue(run, c))}
                    >
                      {formatValue(cellValue(run, c))}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <TableFoot
        count={rows.length}
        noun="run"
        partial="loaded"
        more={!!next}
        loading={loading}
        onMore={() => next && load(state, next)}
      />
    </section>
  );
}
