import type { VNode } from "preact";
import type { Experiment, Run } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { type Crumb, Layout } from "../components/Layout.tsx";
import { RunStatus } from "../components/RunStatus.tsx";
import { Section } from "../components/Section.tsx";
import { Island } from "../island.tsx";
import { MAX_SERIES } from "../islands/CompareCharts.tsx";
import {
  colorSlot,
  COMPARE_MAX_RUNS,
  type CompareRow,
  compareRows,
  extremes,
  lineDash,
} from "../shared/compare.ts";
import { formatDuration, formatNumber } from "../shared/format.ts";
import { userTags } from "../shared/tags.ts";

/** Props of {@linkcode ComparePage}. */
export interface ComparePageProps {
  /** The runs found, in the URL's order (at most {@linkcode COMPARE_MAX_RUNS}). */
  runs: Run[];
  /** The runs' experiments, in order of first appearance; `name` null if it could not be read. */
  experiments: { experiment_id: string; name: Experiment["name"] | null }[];
  /** Ids that are unknown or malformed (shortened for display). */
  notFound: string[];
  /** Well-formed ids left out past the cap. */
  dropped: number;
  /** The metrics the URL asks to chart (`?metric=`, see ui/shared/chart_keys.ts). */
  chartKeys?: string[];
}

/** Unknown ids listed by name; the rest are counted. */
const NOT_FOUND_SHOWN = 20;

const runName = (run: Run) => run.info.run_name || run.info.run_id;
const runHref = (run: Run) => `/runs/${encodeURIComponent(run.info.run_id)}`;

/** The header row: one column per run, its colour swatch and a link to it. */
function RunHeads({ runs, corner }: { runs: Run[]; corner: string }) {
  return (
    <thead>
      <tr>
        <th scope="col" class="cmp-corner">{corner}</th>
        {runs.map((run, i) => (
          <th scope="col" class="cmp-run" key={run.info.run_id}>
            <span class={`cmp-swatch cmp-c${colorSlot(i)}`} aria-hidden="true" />
            <a href={runHref(run)}>{runName(run)}</a>
            {run.info.lifecycle_stage === "deleted" && (
              <span class="badge badge--deleted">Deleted</span>
            )}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A row's key cell, with a visible "≠" when the runs disagree. */
function KeyCell({ row }: { row: CompareRow<unknown> }) {
  return (
    <th scope="row" class="mono cmp-key-cell">
      {row.differs
        ? <span class="cmp-mark" title="Values differ" aria-hidden="true">≠</span>
        : <span class="cmp-mark" aria-hidden="true" />}
      {row.key}
      {row.differs && <span class="visually-hidden">, values differ</span>}
    </th>
  );
}

/** A side-by-side table of `rows`: differing rows marked, the rest hidden by the toggle. */
function SideBySide<V>(
  { id, label, runs, rows, what, cell }: {
    id: string;
    label: string;
    runs: Run[];
    rows: CompareRow<V>[];
    what: string;
    cell: (row: CompareRow<V>, i: number) => VNode;
  },
) {
  const differing = rows.filter((r) => r.differs).length;
  return (
    <div class="table-wrap">
      <table class="table cmp-table" id={id} aria-label={label}>
        <RunHeads runs={runs} corner={what} />
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={runs.length + 1} class="empty">No {label.toLowerCase()}.</td>
            </tr>
          )}
          {rows.length > 0 && differing === 0 && (
            <tr class="cmp-nodiff">
              <td colSpan={runs.length + 1} class="empty">
                All {rows.length} {label.toLowerCase()} are the same in every run.
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <tr key={row.key} class={row.differs ? "cmp-diff" : "cmp-same"}>
              <KeyCell row={row} />
              {row.values.map((_, i) => cell(row, i))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function textCell(row: CompareRow<string>, i: number): VNode {
  const v = row.values[i];
  return v === undefined
    ? <td class="cmp-missing" key={i}>—</td>
    : <td class="cell-value cmp-val" key={i}>{v}</td>;
}

function Count({ rows }: { rows: CompareRow<unknown>[] }) {
  const differing = rows.filter((r) => r.differs).length;
  return (
    <span class="muted">
      {rows.length} · <span class="cmp-count-diff">{differing} differ</span>
    </span>
  );
}

function EmptyState({ experiments }: Pick<ComparePageProps, "experiments">) {
  const back = experiments[0];
  return (
    <div class="cmp-empty">
      <h2>No runs to compare</h2>
      <p class="muted">
        Select two or more runs in an experiment's runs table and press <strong>Compare</strong>
        , or open <span class="mono">/compare?runs=&lt;id&gt;,&lt;id&gt;</span>.
      </p>
      <p>
        {back
          ? (
            <a class="button" href={`/experiments/${encodeURIComponent(back.experiment_id)}`}>
              Back to {back.name ?? `experiment ${back.experiment_id}`}
            </a>
          )
          : <a class="button" href="/">Back to experiments</a>}
      </p>
    </div>
  );
}

/**
 * `/compare?runs=a,b,c`: several runs side by side, as MLflow's compare view. Server-rendered
 * tables (overview, params, metrics with min/max, user tags; rows that differ marked "≠", and a
 * CSS-only "Show only differences" toggle), then two islands: overlaid metric charts
 * (`CompareCharts`) and parallel coordinates + scatter (`CompareViews`).
 */
export function ComparePage(
  { runs, experiments, notFound, dropped, chartKeys }: ComparePageProps,
) {
  const expName = (id: string) =>
    experiments.find((e) => e.experiment_id === id)?.name ?? `Experiment ${id}`;
  const crumbs: Crumb[] = [{ label: "Experiments", href: "/" }];
  if (experiments.length === 1) {
    const e = experiments[0];
    crumbs.push({
      label: e.name ?? `Experiment ${e.experiment_id}`,
      href: `/experiments/${encodeURIComponent(e.experiment_id)}`,
    });
  }
  crumbs.push({ label: "Compare runs" });

  const params = compareRows(runs.map((r) => r.data.params));
  const metrics = compareRows(runs.map((r) => r.data.metrics));
  const tags = compareRows(runs.map((r) => userTags(r.data.tags)));
  const ext = new Map(metrics.map((row) => [row.key, extremes(row.values)]));
  const allSame = [...params, ...metrics, ...tags].every((r) => !r.differs);

  return (
    <Layout active="experiments" crumbs={crumbs}>
      <div class="cmp-page">
        <div class="page-head">
          <h1>Compare runs</h1>
          {runs.length > 0 && <span class="muted">{runs.length} runs</span>}
        </div>
        {experiments.length > 1 && (
          <p class="cmp-experiments">
            From experiments {experiments.map((e, i) => (
              <span key={e.experiment_id}>
                {i > 0 && ", "}
                <a href={`/experiments/${encodeURIComponent(e.experiment_id)}`}>
                  {e.name ?? `Experiment ${e.experiment_id}`}
                </a>
              </span>
            ))}
          </p>
        )}
        {notFound.length > 0 && (
          <p class="notice notice--error" id="cmp-not-found" role="status">
            <span>
              Not found ({notFound.length}, skipped):{" "}
              {notFound.slice(0, NOT_FOUND_SHOWN).map((id, i) => (
                <span key={i}>
                  {i > 0 && ", "}
                  <span class="mono">{id}</span>
                </span>
              ))}
              {notFound.length > NOT_FOUND_SHOWN &&
                ` and ${notFound.length - NOT_FOUND_SHOWN} more`}
            </span>
          </p>
        )}
        {dropped > 0 && (
          <p class="notice" id="cmp-capped" role="status">
            <span>
              A comparison shows at most {COMPARE_MAX_RUNS} runs: the first {COMPARE_MAX_RUNS}{" "}
              are shown, {dropped} more were left out.
            </span>
          </p>
        )}
        {runs.length === 0 ? <EmptyState experiments={experiments} /> : (
          <>
            <nav class="cmp-jump" aria-label="On this page">
              <a href="#cmp-params-heading">Parameters</a>
              <a href="#cmp-metrics-heading">Metrics</a>
              <a href="#cmp-tags-heading">Tags</a>
              <a href="#cmp-charts-heading">Charts</a>
              <a href="#cmp-parcoords-heading">Parallel coordinates</a>
              <a href="#cmp-scatter-heading">Scatter</a>
            </nav>

            <div class="table-wrap">
              <table class="table cmp-table" id="cmp-runs" aria-label="Runs">
                <RunHeads runs={runs} corner="Run" />
                <tbody>
                  <tr>
                    <th scope="row">Run ID</th>
                    {runs.map((r) => (
                      <td class="mono cmp-id" key={r.info.run_id}>{r.info.run_id}</td>
                    ))}
                  </tr>
                  {experiments.length > 1 && (
                    <tr>
                      <th scope="row">Experiment</th>
                      {runs.map((r) => (
                        <td key={r.info.run_id}>
                          <a href={`/experiments/${encodeURIComponent(r.info.experiment_id)}`}>
                            {expName(r.info.experiment_id)}
                          </a>
                        </td>
                      ))}
                    </tr>
                  )}
                  <tr>
                    <th scope="row">Status</th>
                    {runs.map((r) => (
                      <td key={r.info.run_id}>
                        <RunStatus status={r.info.status} />
                      </td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Started</th>
                    {runs.map((r) => (
                      <td class="col-time" key={r.info.run_id}>
                        <DateTime ms={r.info.start_time} />
                      </td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Duration</th>
                    {runs.map((r) => (
                      <td class="num" key={r.info.run_id}>
                        {r.info.end_time === undefined
                          ? "—"
                          : formatDuration(r.info.end_time - r.info.start_time)}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            </div>

            <div class="cmp-toolbar">
              <label class="cmp-toggle">
                <input type="checkbox" id="cmp-only-diff" />
                Show only differences
              </label>
              <span class="muted">
                {allSame
                  ? "The runs have the same params, metrics and tags."
                  : "Rows marked ≠ differ between runs; min and max of each metric are marked."}
              </span>
            </div>

            <Section
              headingId="cmp-params-heading"
              title="Parameters"
              aside={<Count rows={params} />}
            >
              <SideBySide
                id="cmp-params"
                label="Parameters"
                what="Parameter"
                runs={runs}
                rows={params}
                cell={textCell}
              />
            </Section>

            <Section
              headingId="cmp-metrics-heading"
              title="Metrics"
              aside={<Count rows={metrics} />}
              note="latest values"
            >
              <SideBySide
                id="cmp-metrics"
                label="Metrics"
                what="Metric"
                runs={runs}
                rows={metrics}
                cell={(row, i) => {
                  const v = row.values[i];
                  if (v === undefined) return <td class="cmp-missing" key={i}>—</td>;
                  const { min, max } = ext.get(row.key)!;
                  const cls = min.has(i) ? " cmp-is-min" : max.has(i) ? " cmp-is-max" : "";
                  return (
                    <td class={`num cmp-val${cls}`} key={i} title={String(v)}>
                      {formatNumber(v)}
                      {min.has(i) && <span class="cmp-ext cmp-ext--min">min</span>}
                      {max.has(i) && <span class="cmp-ext cmp-ext--max">max</span>}
                    </td>
                  );
                }}
              />
            </Section>

            <Section headingId="cmp-tags-heading" title="Tags" aside={<Count rows={tags} />}>
              <details class="cmp-tags">
                <summary>Show tags (system tags mlflow.* are not listed)</summary>
                <SideBySide
                  id="cmp-tags"
                  label="Tags"
                  what="Tag"
                  runs={runs}
                  rows={tags}
                  cell={textCell}
                />
              </details>
            </Section>

            <Section headingId="cmp-charts-heading" title="Metric charts" note="one line per run">
              <Island
                name="CompareCharts"
                props={{
                  runs: runs.slice(0, MAX_SERIES).map((r, i) => ({
                    id: r.info.run_id,
                    name: runName(r),
                    startTime: r.info.start_time,
                    slot: colorSlot(i),
                    dash: lineDash(i),
                    keys: r.data.metrics.map((m) => m.key),
                  })),
                  totalRuns: runs.length,
                  metricKeys: metrics.map((m) => m.key),
                  chartKeys,
                }}
              />
            </Section>

            <Island
              name="CompareViews"
              props={{
                runs: runs.map((r) => ({ id: r.info.run_id, name: runName(r) })),
                params: params.filter((p) => p.differs).map((p) => ({
                  key: p.key,
                  values: p.values.map((v) => v ?? null),
                })),
                metrics: metrics.map((m) => ({
                  key: m.key,
                  values: m.values.map((v) => v !== undefined && Number.isFinite(v) ? v : null),
                })),
              }}
            />
          </>
        )}
      </div>
    </Layout>
  );
}
