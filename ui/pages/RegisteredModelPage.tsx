import type { ModelVersion, RegisteredModel } from "../../store/registry/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { Section } from "../components/Section.tsx";
import { Island } from "../island.tsx";
import type { AccessPanelProps } from "../islands/AccessPanel.tsx";
import type { VersionRow } from "../islands/ModelVersions.tsx";
import { loggedModelIdOf } from "../shared/models.ts";

/** What the viewer may do to a registered model (auth off: everything). */
export interface RegistryMay {
  /** EDIT: description, tags, aliases, stages, register versions. */
  edit: boolean;
  /** MANAGE: delete the model, a version, an alias, a version's tag. */
  delete: boolean;
}

/** Props of {@linkcode RegisteredModelPage}. */
export interface RegisteredModelPageProps {
  model: RegisteredModel;
  /** Its versions, newest first (the first {@linkcode versionsLimit}). */
  versions: ModelVersion[];
  /** How many versions the page reads at most; more exist when `versions` has a next page. */
  versionsLimit: number;
  /** Whether more versions exist than are shown. */
  moreVersions: boolean;
  /** Names of the versions' source runs by id; null when the run could not be read. */
  runNames: Record<string, string | null>;
  /** Names of the versions' logged models by id; null when the model could not be read. */
  loggedModelNames: Record<string, string | null>;
  /** What the viewer may change; absent: everything (auth off). */
  may?: RegistryMay;
  /** The "Access" panel, present only for viewers who may manage the model's grants. */
  access?: AccessPanelProps;
}

/** A version as the versions table's island needs it (no `run_link`, `user_id`…). */
function versionRow(v: ModelVersion): VersionRow {
  return {
    version: v.version,
    current_stage: v.current_stage,
    creation_timestamp: v.creation_timestamp,
    status: v.status,
    run_id: v.run_id || undefined,
    model_id: loggedModelIdOf(v),
    source: v.source,
    description: v.description || undefined,
    tags: v.tags ?? [],
  };
}

/**
 * `/models/:name`: a registered model — description (safe Markdown, editable), tags, aliases,
 * and every version with its stage, aliases, source run, logged model and source URI; with the
 * registry's actions (stage, aliases, delete) for viewers who may.
 */
export function RegisteredModelPage(props: RegisteredModelPageProps) {
  const { model, versions, versionsLimit, moreVersions, runNames, loggedModelNames, access } =
    props;
  const may = props.may ?? { edit: true, delete: true };
  return (
    <Layout
      active="models"
      crumbs={[{ label: "Models", href: "/models" }, { label: model.name }]}
    >
      <div class="page-head">
        <h1>{model.name}</h1>
        {may.delete && (
          <Island
            name="RegistryDelete"
            props={{
              name: model.name,
              // "all", not a count: versions deleted or registered since the page loaded go too.
              what: versions.length === 0
                ? `model “${model.name}”`
                : `model “${model.name}” and all its versions`,
              then: "/models",
            }}
          />
        )}
      </div>
      <dl class="meta">
        <MetaItem label="Created">
          <DateTime ms={model.creation_timestamp} />
        </MetaItem>
        <MetaItem label="Last updated">
          <DateTime ms={model.last_updated_timestamp} />
        </MetaItem>
        {model.user_id && <MetaItem label="User">{model.user_id}</MetaItem>}
      </dl>

      <Island
        name="RegistryDescription"
        props={{ name: model.name, description: model.description ?? "", canEdit: may.edit }}
      />

      <Island
        name="ModelVersions"
        props={{
          name: model.name,
          aliases: model.aliases,
          versions: versions.map(versionRow),
          versionsLimit,
          moreVersions,
          runNames,
          loggedModelNames,
          canEdit: may.edit,
          canDelete: may.delete,
        }}
      />

      <Section headingId="model-tags-heading" title="Tags">
        <Island
          name="RegistryTags"
          props={{ name: model.name, tags: model.tags, canEdit: may.edit, canDelete: may.edit }}
        />
      </Section>
      {access && (
        <Section headingId="access-heading" title="Access">
          <Island name="AccessPanel" props={access} />
        </Section>
      )}
    </Layout>
  );
}
