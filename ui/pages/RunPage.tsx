import type { LoggedModelInfo } from "../../store/logged_models/types.ts";
import type { Experiment, Run } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { KvTable } from "../components/KvTable.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { MetricsTable } from "../components/MetricsTable.tsx";
import { LoggedModelStatusBadge } from "../components/ModelBadges.tsx";
import { GitSource } from "../components/GitSource.tsx";
import { RunDatasets } from "../components/RunDatasets.tsx";
import { Section } from "../components/Section.tsx";
import { SystemTags } from "../components/SystemTags.tsx";
import { Island } from "../island.tsx";
import { NOTE_TAG } from "../islands/RunDescription.tsx";
import { formatDuration } from "../shared/format.ts";
import { loggedModelHref, registerSources } from "../shared/models.ts";
import { byKey, systemTags, userTags } from "../shared/tags.ts";

/** A run named by id, for the parent link and the children list. */
export interface RunRef {
  run_id: string;
  run_name: string;
  status: Run["info"]["status"];
}

/** A logged model of the run, for the "Logged models" section. */
export type LoggedModelRef = Pick<
  LoggedModelInfo,
  "model_id" | "name" | "status" | "model_type" | "creation_timestamp_ms" | "source_run_id"
>;

/** Without auth, anyone may rename, delete and restore a run. */
const ALL_ALLOWED = { rename: true, delete: true };

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
  /**
   * What the viewer may do to the run (rename: EDIT, delete/restore: MANAGE); both when auth is
   * off, the default.
   */
  may?: { rename: boolean; delete: boolean };
  /** The artifact to select in the browser (`?artifact=`), if the URL names one. */
  artifact?: string;
}

/**
 * `/runs/:id`: one run — header (rename, delete/restore), details (git commit linked),
 * description (Markdown, editable), metric charts, latest metrics, params, tags (editable;
 * `mlflow.*` read-only), datasets used, its logged models and the artifact browser.
 */
export function RunPage(
  {
    run,
    experiment,
    parent,
    childRuns,
    loggedModels = [],
    may = ALL_ALLOWED,
    artifact,
  }: RunPageProps,
) {
  const { info, data } = run;
  const tag = (key: string) => data.tags.find((t) => t.key === key)?.value;
  const name = info.run_name || info.run_id;
  const metrics = [...data.metrics].sort(byKey);
  const params = [...data.params].sort(byKey);
  const source = tag("mlflow.source.name");
  const commit = tag("mlflow.source.git.commit");
  const repoUrl = tag("mlflow.source.git.repoURL") || tag("mlflow.gitRepoURL");
  const datasets = run.inputs?.dataset_inputs ?? [];
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
      <Island
        name="RunHeader"
        props={{ runId: info.run_id, name, status: info.status, deleted, may }}
      />
      {may.rename && !deleted && (
        <Island
          name="RegisterModel"
          props={{
            sources: registerSources(info, loggedModels, tag("mlflow.log-model.history")),
            run: { runId: info.run_id, artifactUri: info.artifact_uri },
          }}
        />
      )}
      <dl class="meta run-meta">
        <MetaItem label="Run ID" class="mono">{info.run_id}</MetaItem>
        <MetaItem label="Experiment">
          <a href={`/experiments/${info.experiment_id}`}>
            {experiment?.name ?? info.experiment_id}
          </a>
        </MetaItem>
        <MetaItem label="Started">
          <DateTime ms={info.start_time} />
        </MetaItem>
        <MetaItem label="Ended">
          <DateTime ms={info.end_time} />
        </MetaItem>
        <MetaItem label="Duration" class="num">
          {info.end_time === undefined ? "—" : formatDuration(info.end_time - info.start_time)}
        </MetaItem>
        <MetaItem label="User">{info.user_id || tag("mlflow.user") || "—"}</MetaItem>
        {source && (
          <MetaItem label="Source" class="mono">
            {source}
            {commit && <span class="muted" title={commit}>@{commit.slice(0, 8)}</span>}
          </MetaItem>
        )}
        {repoUrl && (
          <MetaItem label="Git commit" class="mono">
            <GitSource repoUrl={repoUrl} commit={commit} />
          </MetaItem>
        )}
        {parent && (
          <MetaItem label="Parent run">
            <a href={`/runs/${encodeURIComponent(parent.run_id)}`}>
              {parent.run_name || parent.run_id}
            </a>
          </MetaItem>
        )}
        {childRuns.length > 0 && (
          <MetaItem label="Child runs">
            <ul class="run-children">
              {childRuns.map((ch) => (
                <li key={ch.run_id}>
                  <a href={`/runs/${encodeURIComponent(ch.run_id)}`}>
                    {ch.run_name || ch.run_id}
                  </a>
                </li>
              ))}
            </ul>
          </MetaItem>
        )}
      </dl>

      <Island name="RunDescription" props={{ runId: info.run_id, note: tag(NOTE_TAG) ?? "" }} />

      <Section headingId="run-charts-heading" title="Metric charts">
        <Island
          name="MetricChart"
          props={{
            runId: info.run_id,
            metricKeys: metrics.map((m) => m.key),
            status: info.status,
            startTime: info.start_time,
          }}
        />
      </Section>

      <div class="run-grid">
        <Section headingId="run-metrics-heading" title="Metrics" note="latest values">
          <MetricsTable id="run-metrics" metrics={metrics} />
        </Section>
        <Section headingId="run-params-heading" title="Parameters" note={params.length}>
          <KvTable id="run-params" rows={params} empty="No parameters." keyLabel="Parameter" />
        </Section>
      </div>

      <Section headingId="run-tags-heading" title="Tags">
        <Island
          name="RunTags"
          props={{ runId: info.run_id, tags: userTags(data.tags).sort(byKey) }}
        />
        <SystemTags
          id="run-system-tags"
          tags={systemTags(data.tags).filter((t) => t.key !== NOTE_TAG)}
          note="read-only"
        />
      </Section>

      {datasets.length > 0 && (
        <Section headingId="run-datasets-heading" title="Datasets used" note={datasets.length}>
          <RunDatasets inputs={datasets} />
        </Section>
      )}

      {loggedModels.length > 0 && (
        <Section headingId="run-models-heading" title="Logged models" note={loggedModels.length}>
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
        </Section>
      )}

      <Section headingId="run-artifacts-heading" title="Artifacts">
        <Island name="ArtifactBrowser" props={{ runId: info.run_id, path: artifact }} />
      </Section>
    </Layout>
  );
}
