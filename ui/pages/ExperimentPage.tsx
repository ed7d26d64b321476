import type { Experiment } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { Section } from "../components/Section.tsx";
import { TagList } from "../components/TagList.tsx";
import { Island } from "../island.tsx";
import type { RunsTableProps } from "../islands/RunsTable.tsx";
import type { AccessPanelProps } from "../islands/AccessPanel.tsx";
import { NOTE_TAG } from "../islands/RunDescription.tsx";
import { userTags } from "../shared/tags.ts";

/** Props of {@linkcode ExperimentPage}. */
export interface ExperimentPageProps {
  experiment: Experiment;
  /** The `RunsTable` island's first page and view, as the server searched it. */
  table: RunsTableProps;
  /** The "Access" panel, present only for viewers who may manage the experiment's grants. */
  access?: AccessPanelProps;
  /** Whether the viewer may edit the description (EDIT or better; always without auth). */
  canEdit: boolean;
}

/**
 * `/experiments/:id`: the experiment's description (Markdown, editable), details and its runs in
 * the interactive `RunsTable` island, whose first page is rendered on the server.
 */
export function ExperimentPage({ experiment, table, access, canEdit }: ExperimentPageProps) {
  const deleted = experiment.lifecycle_stage === "deleted";
  const note = experiment.tags.find((t) => t.key === NOTE_TAG)?.value ?? "";
  const tags = userTags(experiment.tags);
  return (
    <Layout
      active="experiments"
      wide
      crumbs={[{ label: "Experiments", href: "/" }, { label: experiment.name }]}
    >
      <Island
        name="ExperimentHeader"
        props={{
          experimentId: experiment.experiment_id,
          name: experiment.name,
          deleted,
          canRename: canEdit,
        }}
      />
      <Island
        name="ExperimentDescription"
        props={{ experimentId: experiment.experiment_id, note, canEdit: canEdit && !deleted }}
      />
      <dl class="meta">
        <MetaItem label="Experiment ID" class="num">{experiment.experiment_id}</MetaItem>
        <MetaItem label="Created">
          <DateTime ms={experiment.creation_time} />
        </MetaItem>
        <MetaItem label="Last updated">
          <DateTime ms={experiment.last_update_time} />
        </MetaItem>
        <MetaItem label="Artifact location" class="mono">{experiment.artifact_location}</MetaItem>
        {tags.length > 0 && (
          <MetaItem label="Tags">
            <TagList tags={tags} max={12} />
          </MetaItem>
        )}
      </dl>
      <Section headingId="runs-heading" title="Runs">
        <Island name="RunsTable" props={table} />
      </Section>
      {access && (
        <Section headingId="access-heading" title="Access">
          <Island name="AccessPanel" props={access} />
        </Section>
      )}
    </Layout>
  );
}
