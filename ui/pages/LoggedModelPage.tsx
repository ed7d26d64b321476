import type { LoggedModel } from "../../store/logged_models/types.ts";
import type { ModelVersion } from "../../store/registry/types.ts";
import type { Experiment, Metric } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { KvTable } from "../components/KvTable.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { MetricsTable } from "../components/MetricsTable.tsx";
import { LoggedModelStatusBadge, StageBadge } from "../components/ModelBadges.tsx";
import { Section } from "../components/Section.tsx";
import { SystemTags } from "../components/SystemTags.tsx";
import { Island } from "../island.tsx";
import { modelVersionHref, registeredModelHref, runHref } from "../shared/models.ts";
import { byKey, systemTags, userTags } from "../shared/tags.ts";

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
  /** The file to select in the browser (`?artifact=`), if the URL names one. */
  artifact?: string;
  /** Whether to offer "Register model" (EDIT on the model's experiment; absent: yes). */
  canRegister?: boolean;
}

function byKeyAndDataset(a: Metric, b: Metric): number {
  return byKey(a, b) ||
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
  const { model, experiment, sourceRunName, versions, downloadBase, artifact } = props;
  const { info, data } = model;
  const params = [...data.params].sort(byKey);
  const metrics = [...data.metrics].sort(byKeyAndDataset);
  const tags = userTags(info.tags).sort(byKey);
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
        <MetaItem label="Model ID" class="mono">{info.model_id}</MetaItem>
        <MetaItem label="Type">{info.model_type || <span class="muted">—</span>}</MetaItem>
        <MetaItem label="Experiment">
          <a href={expHref}>{experiment?.name ?? info.experiment_id}</a>
        </MetaItem>
        <MetaItem label="Source run">
          {info.source_run_id
            ? (
              <a href={runHref(info.source_run_id)} title={info.source_run_id}>
                {sourceRunName || <span class="mono">{info.source_run_id}</span>}
              </a>
            )
            : <span class="muted">—</span>}
        </MetaItem>
        <MetaItem label="Created">
          <DateTime ms={info.creation_timestamp_ms} />
        </MetaItem>
        <MetaItem label="Last updated">
          <DateTime ms={info.last_updated_timestamp_ms} />
        </MetaItem>
        <MetaItem label="Artifact URI" class="mono">{info.artifact_uri}</MetaItem>
      </dl>

      <Section headingId="lm-versions-heading" title="Registered versions" note={versions.length}>
        {(props.canRegister ?? true) && (
          <Island
            name="RegisterModel"
            props={{
              sources: [{
                label: `${info.name} (logged model)`,
                source: `models:/${info.model_id}`,
                runId: info.source_run_id || undefined,
                modelId: info.model_id,
              }],
            }}
          />
        )}
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
                        <a href={modelVersionHref(v.name, v.version)}>Version {v.version}</a>
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
      </Section>

      <div class="run-grid">
        <Section headingId="lm-metrics-heading" title="Metrics" note="latest per key and dataset">
          <MetricsTable id="lm-metrics" metrics={metrics} datasets />
        </Section>
        <Section headingId="lm-params-heading" title="Parameters" note={params.length}>
          <KvTable id="lm-params" rows={params} empty="No parameters." keyLabel="Parameter" />
        </Section>
      </div>

      <Section headingId="lm-tags-heading" title="Tags" note={tags.length}>
        <KvTable id="lm-tags" rows={tags} empty="No tags." keyLabel="Tag" />
        <SystemTags id="lm-system-tags" tags={systemTags(info.tags)} keyLabel="Tag" />
      </Section>

      <Section headingId="lm-artifacts-heading" title="Files">
        {downloadBase
          ? (
            <Island
              name="ArtifactBrowser"
              props={{ loggedModel: { modelId: info.model_id, downloadBase }, path: artifact }}
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
      </Section>
    </Layout>
  );
}
