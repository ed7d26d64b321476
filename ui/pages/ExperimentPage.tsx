import type { Experiment, Run } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { Layout } from "../components/Layout.tsx";
import { RunStatus } from "../components/RunStatus.tsx";
import { TagList } from "../components/TagList.tsx";
import { formatDuration } from "../shared/format.ts";
import { userTags } from "../shared/tags.ts";

/** Props of {@linkcode ExperimentPage}. */
export interface ExperimentPageProps {
  experiment: Experiment;
  /** The latest runs, newest first. */
  runs: Run[];
  /** Whether the experiment has more runs than {@linkcode ExperimentPageProps.runs}. */
  more: boolean;
}

/**
 * `/experiments/:id`: the experiment's details and a plain table of its latest runs. Server-only
 * for now; the runs-table island replaces the table.
 */
export function ExperimentPage({ experiment, runs, more }: ExperimentPageProps) {
  const deleted = experiment.lifecycle_stage === "deleted";
  const note = experiment.tags.find((t) => t.key === "mlflow.note.content")?.value;
  const tags = userTags(experiment.tags);
  return (
    <Layout
      active="experiments"
      crumbs={[{ label: "Experiments", href: "/" }, { label: experiment.name }]}
    >
      <div class="page-head">
        <h1>{experiment.name}</h1>
        {deleted && <span class="badge badge--deleted">Deleted</span>}
      </div>
      {note && <p class="description">{note}</p>}
      <dl class="meta">
        <div>
          <dt>Experiment ID</dt>
          <dd class="num">{experiment.experiment_id}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <DateTime ms={experiment.creation_time} />
          </dd>
        </div>
        <div>
          <dt>Last updated</dt>
          <dd>
            <DateTime ms={experiment.last_update_time} />
          </dd>
        </div>
        <div>
          <dt>Artifact location</dt>
          <dd class="mono">{experiment.artifact_location}</dd>
        </div>
        {tags.length > 0 && (
          <div>
            <dt>Tags</dt>
            <dd>
              <TagList tags={tags} max={12} />
            </dd>
          </div>
        )}
      </dl>
      <section aria-labelledby="runs-heading">
        <div class="section-head">
          <h2 id="runs-heading">Runs</h2>
          <span class="muted">
            {more ? `Latest ${runs.length}` : `${runs.length} run${runs.length === 1 ? "" : "s"}`}
          </span>
        </div>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Run name</th>
                <th scope="col" class="col-time">Created</th>
                <th scope="col">Duration</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {runs.length === 0 && (
                <tr>
                  <td colSpan={4} class="empty">
                    No runs yet. Log one with <code>mlflow.start_run()</code>.
                  </td>
                </tr>
              )}
              {runs.map(({ info }) => (
                <tr key={info.run_id}>
                  <td class="cell-name">
                    <span title={info.run_id}>{info.run_name || info.run_id}</span>
                  </td>
                  <td class="col-time">
                    <DateTime ms={info.start_time} />
                  </td>
                  <td class="num">
                    {info.end_time === undefined ? "—" : formatDuration(
                      info.end_time - info.start_time,
                    )}
                  </td>
                  <td>
                    <RunStatus status={info.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}
