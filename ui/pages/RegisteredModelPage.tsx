import type { ModelVersion, RegisteredModel } from "../../store/registry/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { KvTable } from "../components/KvTable.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { AliasChip, StageBadge } from "../components/ModelBadges.tsx";
import { Section } from "../components/Section.tsx";
import { TagList } from "../components/TagList.tsx";
import { renderMarkdown } from "../islands/run_page/markdown.ts";
import { Island } from "../island.tsx";
import type { AccessPanelProps } from "../islands/AccessPanel.tsx";
import {
  excerpt,
  loggedModelHref,
  loggedModelIdOf,
  registeredModelHref,
  runHref,
  versionAnchor,
} from "../shared/models.ts";

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
  /** The "Access" panel, present only for viewers who may manage the model's grants. */
  access?: AccessPanelProps;
}

/**
 * A version's source run or logged model: a link named by its name (its id when unnamed), the
 * id alone when it could not be read (`names[id]` is null), `—` when there is none.
 */
function RefLink({ id, names, href, what }: {
  id: string | undefined;
  names: Record<string, string | null>;
  href: (id: string) => string;
  /** "Run", "Logged model": for the "… not found" title. */
  what: string;
}) {
  if (!id) return <span class="muted">—</span>;
  const name = names[id];
  if (name === null) return <span class="mono muted" title={`${what} not found`}>{id}</span>;
  return <a href={href(id)} title={id}>{name || <span class="mono">{id}</span>}</a>;
}

/**
 * `/models/:name`: a registered model — description (safe Markdown), latest versions, aliases,
 * tags, and every version with its stage, aliases, source run, logged model and source URI.
 */
export function RegisteredModelPage(props: RegisteredModelPageProps) {
  const { model, versions, versionsLimit, moreVersions, runNames, loggedModelNames, access } =
    props;
  const aliasesOf = new Map<string, string[]>();
  for (const a of model.aliases) {
    aliasesOf.set(a.version, [...(aliasesOf.get(a.version) ?? []), a.alias]);
  }
  const latest = [...model.latest_versions].sort((a, b) => Number(b.version) - Number(a.version));
  return (
    <Layout
      active="models"
      crumbs={[{ label: "Models", href: "/models" }, { label: model.name }]}
    >
      <div class="page-head">
        <h1>{model.name}</h1>
      </div>
      <dl class="meta">
        <MetaItem label="Created">
          <DateTime ms={model.creation_timestamp} />
        </MetaItem>
        <MetaItem label="Last updated">
          <DateTime ms={model.last_updated_timestamp} />
        </MetaItem>
        <MetaItem label="Versions" class="num">
          {moreVersions ? `${versions.length}+` : versions.length}
        </MetaItem>
        <MetaItem label="Latest">
          {latest.length === 0 ? <span class="muted">—</span> : (
            <ul class="model-versions-inline">
              {latest.map((v) => (
                <li key={v.version}>
                  <a href={registeredModelHref(model.name, v.version)}>Version {v.version}</a>
                  {v.current_stage !== "None" && <StageBadge stage={v.current_stage} />}
                </li>
              ))}
            </ul>
          )}
        </MetaItem>
        {model.user_id && <MetaItem label="User">{model.user_id}</MetaItem>}
      </dl>

      <Section headingId="model-description-heading" title="Description">
        {model.description
          ? <div class="markdown model-description">{renderMarkdown(model.description)}</div>
          : <p class="muted">No description.</p>}
      </Section>

      <div class="run-grid">
        <Section headingId="model-aliases-heading" title="Aliases" note={model.aliases.length}>
          <div class="table-wrap">
            <table class="table table--kv" id="model-aliases">
              <thead>
                <tr>
                  <th scope="col">Alias</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {model.aliases.length === 0 && (
                  <tr>
                    <td colSpan={2} class="empty">No aliases.</td>
                  </tr>
                )}
                {model.aliases.map((a) => (
                  <tr key={a.alias}>
                    <th scope="row">
                      <AliasChip alias={a.alias} />
                    </th>
                    <td>
                      <a href={registeredModelHref(model.name, a.version)}>Version {a.version}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
        <Section headingId="model-tags-heading" title="Tags" note={model.tags.length}>
          <KvTable id="model-tags" rows={model.tags} empty="No tags." />
        </Section>
      </div>

      <Section headingId="model-versions-heading" title="Versions" note="newest first">
        <div class="table-wrap">
          <table class="table versions-table" id="model-versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Stage</th>
                <th scope="col">Aliases</th>
                <th scope="col" class="col-time">Created</th>
                <th scope="col">Status</th>
                <th scope="col">Source run</th>
                <th scope="col">Logged model</th>
                <th scope="col">Source</th>
                <th scope="col">Tags</th>
              </tr>
            </thead>
            <tbody>
              {versions.length === 0 && (
                <tr>
                  <td colSpan={9} class="empty">
                    No versions yet. Register one with{" "}
                    <code>mlflow.register_model(…, "{model.name}")</code>.
                  </td>
                </tr>
              )}
              {versions.map((v) => {
                const modelId = loggedModelIdOf(v);
                const aliases = aliasesOf.get(v.version) ?? [];
                return (
                  <tr key={v.version} id={versionAnchor(v.version)}>
                    <th scope="row" class="cell-version">
                      Version {v.version}
                      {v.description && (
                        <span class="cell-version__note muted" title={v.description}>
                          {excerpt(v.description, 60)}
                        </span>
                      )}
                    </th>
                    <td>
                      <StageBadge stage={v.current_stage} />
                    </td>
                    <td>
                      {aliases.length === 0 ? <span class="muted">—</span> : (
                        <ul class="aliases">
                          {aliases.map((a) => (
                            <li key={a}>
                              <AliasChip alias={a} />
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td class="col-time">
                      <DateTime ms={v.creation_timestamp} />
                    </td>
                    <td>
                      <span class="badge badge--finished">
                        <span class="badge__dot" aria-hidden="true" />
                        {v.status === "READY" ? "Ready" : v.status}
                      </span>
                    </td>
                    <td class="cell-link">
                      <RefLink id={v.run_id} names={runNames} href={runHref} what="Run" />
                    </td>
                    <td class="cell-link">
                      <RefLink
                        id={modelId}
                        names={loggedModelNames}
                        href={loggedModelHref}
                        what="Logged model"
                      />
                    </td>
                    <td class="mono cell-source">{v.source}</td>
                    <td class="col-tags">
                      <TagList tags={v.tags} max={3} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {moreVersions && (
          <p class="muted">
            Showing the newest {versionsLimit} versions.
          </p>
        )}
      </Section>
      {access && (
        <Section headingId="access-heading" title="Access">
          <Island name="AccessPanel" props={access} />
        </Section>
      )}
    </Layout>
  );
}
