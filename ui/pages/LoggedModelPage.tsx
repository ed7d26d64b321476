import type { LoggedModel } from "../../store/logged_models/types.ts";
import type { ModelVersion } from "../../store/registry/types.ts";
import type { Experiment, Metric } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { KvTable } from "../components/KvTable.tsx";
import { Layout } from "../components/Layout.tsx";
import { LoggedModelStatusBadge, StageBadge } from "../components/ModelBadges.tsx";
import { Island } from "../island.tsx";
import { registeredModelHref, runHref } from "../shared/models.ts";
import { userTags } from "../shared/tags.ts";

/** Props of {@linkcode LoggedModelPage}. */
export interface LoggedModelPageProps {
  model: LoggedModel;
  /** The model's experiment; null if it could not be read. */
  experiment: Pick<Experiment, "experiment_id" | "name"> | null;
  /** The source run's name when the model has a source run and it could be read. */
  sourceRunName: string | null;
  /** Registered model versions made from this model. */
  versions: ModelVersion[];
  /**
   * Where the model's files download from (the artifact proxy URL of its root), or null when its
   * artifact root is not one this server serves.
   */
  downloadBase: string | null;
}

function formatValue(v: number | string): string {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(6)).toString();
}

function byKeyAndDataset(a: Metric, b: Metric): number {
  return a.key.localeCompare(b.key) ||
    (a.dataset_name ?? "").localeCompare(b.dataset_name ?? "") ||
    (a.dataset_digest ?? "").localeCompare(b.dataset_digest ?? "");
}

/**
 * `/logged-models/:modelId`: an MLflow 3 logged model — status, type, experiment and source run,
 * its latest metrics (per key and dataset), params, tags, files (the `ArtifactBrowser` island over
 * the logged-model artifact endpoints; downloads through the artifact proxy) and the registered
 * versions made from it.
 */
export function LoggedModelPage(props: LoggedModelPageProps) {
  const { model, experiment, sourceRunName, versions, downloadBase } = props;
  const { info, data } = model;
  const params = [...data.params].sort((a, b) => a.key.localeCompare(b.key));
  const metrics = [...data.metrics].sort(byKeyAndDataset);
  const tags = userTags(info.tags).sort((a, b) => a.key.localeCompare(b.key));
  const systemTags = info.tags.filter((t) => t.key.startsWith("mlflow."))
    .sort((a, b) => a.key.localeCompare(b.key));
  const expHref = `/experiments/${encodeURIComponent(info.experiment_id)}`;
  const expLabel = experiment?.name ?? `Experiment ${info.experiment_id}`;
  return (
    <Layout
      active="experiments"
      crumbs={[
        { label: "Experiments", href: "/" },
        { label: expLabel, href: expHref },
        { label: info.name },
      ]}
    >
      <div class="page-head">
        <h1>{info.name}</h1>
        <LoggedModelStatusBadge status={info.status} />
        <span class="badge">Logged model</span>
      </div>
      {info.status_message && <p class="description">{info.status_message}</p>}
      <dl class="meta run-meta">
        <div>
          <dt>Model ID</dt>
          <dd class="mono">{info.model_id}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{info.model_type || <span class="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Experiment</dt>
          <dd>
            <a href={expHref}>{experiment?.name ?? info.experiment_id}</a>
          </dd>
        </div>
        <div>
          <dt>Source run</dt>
          <dd>
            {info.source_run_id
              ? (
                <a href={runHref(info.source_run_id)} title={info.source_run_id}>
                  {sourceRunName || <span class="mono">{info.source_run_id}</span>}
                </a>
              )
              : <span class="muted">—</span>}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <DateTime ms={info.creation_timestamp_ms} />
          </dd>
        </div>
        <div>
          <dt>Last updated</dt>
          <dd>
            <DateTime ms={info.last_updated_timestamp_ms} />
          </dd>
        </div>
        <div>
          <dt>Artifact URI</dt>
          <dd class="mono">{info.artifact_uri}</dd>
        </div>
      </dl>

      <section aria-labelledby="lm-versions-heading">
        <div class="section-head">
          <h2 id="lm-versions-heading">Registered versions</h2>
          <span class="muted">{versions.length}</span>
        </div>
        {versions.length === 0
          ? (
            <p class="muted">
              Not registered. Register it with{" "}
              <code>mlflow.register_model("models:/{info.model_id}", "my-model")</code>.
            </p>
          )
          : (
            <div class="table-wrap">
              <table class="table" id="lm-versions">
                <thead>
                  <tr>
                    <th scope="col">Registered model</th>
                    <th scope="col">Version</th>
                    <th scope="col">Stage</th>
                    <th scope="col" class="col-time">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v) => (
                    <tr key={`${v.name}\u0000${v.version}`}>
                      <td class="cell-name">
                        <a href={registeredModelHref(v.name)}>{v.name}</a>
                      </td>
                      <td>
                        <a href={registeredModelHref(v.name, v.version)}>Version {v.version}</a>
                      </td>
                      <td>
                        <StageBadge stage={v.current_stage} />
                      </td>
                      <td class="col-time">
                        <DateTime ms={v.creation_timestamp} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>

      <div class="run-grid">
        <section aria-labelledby="lm-metrics-heading">
          <div class="section-head">
            <h2 id="lm-metrics-heading">Metrics</h2>
            <span class="muted">latest per key and dataset</span>
          </div>
          <div class="table-wrap">
            <table class="table table--kv" id="lm-metrics">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col">Dataset</th>
                  <th scope="col" class="num">Value</th>
                  <th scope="col" class="num">Step</th>
                </tr>
              </thead>
              <tbody>
                {metrics.length === 0 && (
                  <tr>
                    <td colSpan={4} class="empty">No metrics.</td>
                  </tr>
                )}
                {metrics.map((m) => (
                  <tr key={`${m.key}\u0000${m.dataset_name ?? ""}\u0000${m.dataset_digest ?? ""}`}>
                    <th scope="row" class="mono">{m.key}</th>
                    <td title={m.dataset_digest ? `digest ${m.dataset_digest}` : undefined}>
                      {m.dataset_name || <span class="muted">—</span>}
                    </td>
                    <td class="num" title={String(m.value)}>{formatValue(m.value)}</td>
                    <td class="num">{m.step}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section aria-labelledby="lm-params-heading">
          <div class="section-head">
            <h2 id="lm-params-heading">Parameters</h2>
            <span class="muted">{params.length}</span>
          </div>
          <KvTable
            id="lm-params"
            rows={params}
            empty="No parameters."
            keyLabel="Parameter"
          />
        </section>
      </div>

      <section aria-labelledby="lm-tags-heading">
        <div class="section-head">
          <h2 id="lm-tags-heading">Tags</h2>
          <span class="muted">{tags.length}</span>
        </div>
        <KvTable id="lm-tags" rows={tags} empty="No tags." keyLabel="Tag" />
        {systemTags.length > 0 && (
          <details class="system-tags">
            <summary>System tags ({systemTags.length})</summary>
            <KvTable id="lm-system-tags" rows={systemTags} empty="" keyLabel="Tag" />
          </details>
        )}
      </section>

      <section aria-labelledby="lm-artifacts-heading">
        <div class="section-head">
          <h2 id="lm-artifacts-heading">Files</h2>
        </div>
        {downloadBase
          ? (
            <Island
              name="ArtifactBrowser"
              props={{ loggedModel: { modelId: info.model_id, downloadBase } }}
            />
          )
          : (
            <p class="notice">
              <span>
                This model's files are stored at <span class="mono">{info.artifact_uri}</span>
                , which this server does not serve.
              </span>
            </p>
          )}
      </section>
    </Layout>
  );
}
