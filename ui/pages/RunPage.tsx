import type { LoggedModelInfo } from "../../store/logged_models/types.ts";
import type { Experiment, Run } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { Layout } from "../components/Layout.tsx";
import { LoggedModelStatusBadge } from "../components/ModelBadges.tsx";
import { RunStatus } from "../components/RunStatus.tsx";
import { Island } from "../island.tsx";
import { NOTE_TAG } from "../islands/RunDescription.tsx";
import { formatDuration } from "../shared/format.ts";
import { loggedModelHref } from "../shared/models.ts";
import { userTags } from "../shared/tags.ts";

/** A run named by id, for the parent link and the children list. */
export interface RunRef {
  run_id: string;
  run_name: string;
  status: Run["info"]["status"];
}

/** A logged model of the run, for the "Logged models" section. */
export type LoggedModelRef = Pick<
  LoggedModelInfo,
  "model_id" | "name" | "status" | "model_type" | "creation_timestamp_ms"
>;

/** Props of {@linkcode RunPage}. */
export interface RunPageProps {
  run: Run;
  /** The run's experiment; null if it could not be read. */
  experiment: Pick<Experiment, "experiment_id" | "name"> | null;
  /** The parent run (tag `mlflow.parentRunId`), when it exists. */
  parent: RunRef | null;
  /** Runs whose `mlflow.parentRunId` is this run (first page). */
  childRuns: RunRef[];
  /**
   * MLflow 3 logged models of this run (its `source_run_id` models and `outputs.model_outputs`);
   * the section is left out when empty.
   */
  loggedModels?: LoggedModelRef[];
}

function formatValue(v: number | string): string {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(6)).toString();
}

/**
 * `/runs/:id`: one run — header, description (Markdown, editable), metric charts, latest
 * metrics, params, tags (editable; `mlflow.*` read-only), its logged models and the artifact
 * browser.
 */
export function RunPage({ run, experiment, parent, childRuns, loggedModels = [] }: RunPageProps) {
  const { info, data } = run;
  const tag = (key: string) => data.tags.find((t) => t.key === key)?.value;
  const name = info.run_name || info.run_id;
  const systemTags = data.tags.filter((t) => t.key.startsWith("mlflow.") && t.key !== NOTE_TAG)
    .sort((a, b) => a.key.localeCompare(b.key));
  const metrics = [...data.metrics].sort((a, b) => a.key.localeCompare(b.key));
  const params = [...data.params].sort((a, b) => a.key.localeCompare(b.key));
  const source = tag("mlflow.source.name");
  const commit = tag("mlflow.source.git.commit");
  const deleted = info.lifecycle_stage === "deleted";
  return (
    <Layout
      active="experiments"
      crumbs={[
        { label: "Experiments", href: "/" },
        experiment
          ? { label: experiment.name, href: `/experiments/${experiment.experiment_id}` }
          : {
            label: `Experiment ${info.experiment_id}`,
            href: `/experiments/${info.experiment_id}`,
          },
        { label: name },
      ]}
    >
      <div class="page-head">
        <h1>{name}</h1>
        <RunStatus status={info.status} />
        {deleted && <span class="badge badge--deleted">Deleted</span>}
      </div>
      <dl class="meta run-meta">
        <div>
          <dt>Run ID</dt>
          <dd class="mono">{info.run_id}</dd>
        </div>
        <div>
          <dt>Experiment</dt>
          <dd>
            <a href={`/experiments/${info.experiment_id}`}>
              {experiment?.name ?? info.experiment_id}
            </a>
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <DateTime ms={info.start_time} />
          </dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>
            <DateTime ms={info.end_time} />
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd class="num">
            {info.end_time === undefined ? "—" : formatDuration(info.end_time - info.start_time)}
          </dd>
        </div>
        <div>
          <dt>User</dt>
          <dd>{info.user_id || tag("mlflow.user") || "—"}</dd>
        </div>
        {source && (
          <div>
            <dt>Source</dt>
            <dd class="mono">
              {source}
              {commit && <span class="muted" title={commit}>@{commit.slice(0, 8)}</span>}
            </dd>
          </div>
        )}
        {parent && (
          <div>
            <dt>Parent run</dt>
            <dd>
              <a href={`/runs/${encodeURIComponent(parent.run_id)}`}>
                {parent.run_name || parent.run_id}
              </a>
            </dd>
          </div>
        )}
        {childRuns.length > 0 && (
          <div>
            <dt>Child runs</dt>
            <dd>
              <ul class="run-children">
                {childRuns.map((ch) => (
                  <li key={ch.run_id}>
                    <a href={`/runs/${encodeURIComponent(ch.run_id)}`}>
                      {ch.run_name || ch.run_id}
                    </a>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>

      <Island name="RunDescription" props={{ runId: info.run_id, note: tag(NOTE_TAG) ?? "" }} />

      <section aria-labelledby="run-charts-heading">
        <div class="section-head">
          <h2 id="run-charts-heading">Metric charts</h2>
        </div>
        <Island
          name="MetricChart"
          props={{
            runId: info.run_id,
            metricKeys: metrics.map((m) => m.key),
            status: info.status,
            startTime: info.start_time,
          }}
        />
      </section>

      <div class="run-grid">
        <section aria-labelledby="run-metrics-heading">
          <div class="section-head">
            <h2 id="run-metrics-heading">Metrics</h2>
            <span class="muted">latest values</span>
          </div>
          <div class="table-wrap">
            <table class="table table--kv" id="run-metrics">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col" class="num">Value</th>
                  <th scope="col" class="num">Step</th>
                </tr>
              </thead>
              <tbody>
                {metrics.length === 0 && (
                  <tr>
                    <td colSpan={3} class="empty">No metrics.</td>
                  </tr>
                )}
                {metrics.map((m) => (
                  <tr key={m.key}>
                    <th scope="row" class="mono">{m.key}</th>
                    <td class="num" title={String(m.value)}>{formatValue(m.value)}</td>
                    <td class="num">{m.step}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section aria-labelledby="run-params-heading">
          <div class="section-head">
            <h2 id="run-params-heading">Parameters</h2>
            <span class="muted">{params.length}</span>
          </div>
          <div class="table-wrap">
            <table class="table table--kv" id="run-params">
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {params.length === 0 && (
                  <tr>
                    <td colSpan={2} class="empty">No parameters.</td>
                  </tr>
                )}
                {params.map((p) => (
                  <tr key={p.key}>
                    <th scope="row" class="mono">{p.key}</th>
                    <td class="cell-value">{p.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>

      <section aria-labelledby="run-tags-heading">
        <div class="section-head">
          <h2 id="run-tags-heading">Tags</h2>
        </div>
        <Island
          name="RunTags"
          props={{
            runId: info.run_id,
            tags: userTags(data.tags).sort((a, b) => a.key.localeCompare(b.key)),
          }}
        />
        {systemTags.length > 0 && (
          <details class="system-tags">
            <summary>System tags ({systemTags.length}, read-only)</summary>
            <div class="table-wrap">
              <table class="table table--kv" id="run-system-tags">
                <tbody>
                  {systemTags.map((t) => (
                    <tr key={t.key}>
                      <th scope="row" class="mono">{t.key}</th>
                      <td class="cell-value">{t.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        )}
      </section>

      {loggedModels.length > 0 && (
        <section aria-labelledby="run-models-heading">
          <div class="section-head">
            <h2 id="run-models-heading">Logged models</h2>
            <span class="muted">{loggedModels.length}</span>
          </div>
          <div class="table-wrap">
            <table class="table" id="run-logged-models">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Type</th>
                  <th scope="col" class="col-time">Created</th>
                  <th scope="col" class="col-id">Model ID</th>
                </tr>
              </thead>
              <tbody>
                {loggedModels.map((m) => (
                  <tr key={m.model_id}>
                    <td class="cell-name">
                      <a href={loggedModelHref(m.model_id)}>{m.name}</a>
                    </td>
                    <td>
                      <LoggedModelStatusBadge status={m.status} />
                    </td>
                    <td>{m.model_type || <span class="muted">—</span>}</td>
                    <td class="col-time">
                      <DateTime ms={m.creation_timestamp_ms} />
                    </td>
                    <td class="col-id mono">{m.model_id}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section aria-labelledby="run-artifacts-heading">
        <div class="section-head">
          <h2 id="run-artifacts-heading">Artifacts</h2>
        </div>
        <Island name="ArtifactBrowser" props={{ runId: info.run_id }} />
      </section>
    </Layout>
  );
}
