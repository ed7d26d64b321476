import type { Experiment } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { Layout } from "../components/Layout.tsx";
import { TagList } from "../components/TagList.tsx";
import { Island } from "../island.tsx";
import type { RunsTableProps } from "../islands/RunsTable.tsx";
import { userTags } from "../shared/tags.ts";

/** Props of {@linkcode ExperimentPage}. */
export interface ExperimentPageProps {
  experiment: Experiment;
  /** The `RunsTable` island's first page and view, as the server searched it. */
  table: RunsTableProps;
}

/**
 * `/experiments/:id`: the experiment's details and its runs in the interactive `RunsTable`
 * island, whose first page is rendered on the server.
 */
export function ExperimentPage({ experiment, table }: ExperimentPageProps) {
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
        </div>
        <Island name="RunsTable" props={table} />
      </section>
    </Layout>
  );
}
