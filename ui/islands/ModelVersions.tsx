import { useRef, useState } from "preact/hooks";
import type { ModelVersionStage, RegisteredModelAlias } from "../../store/registry/types.ts";
import type { Tag } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { DeleteConfirm } from "../components/DeleteConfirm.tsx";
import { DismissibleNotice } from "../components/DismissibleNotice.tsx";
import { AliasChip, StageBadge } from "../components/ModelBadges.tsx";
import { RefLink } from "../components/RefLink.tsx";
import { Section } from "../components/Section.tsx";
import { TagList } from "../components/TagList.tsx";
import {
  excerpt,
  loggedModelHref,
  modelVersionHref,
  runHref,
  versionAnchor,
} from "../shared/models.ts";
import { dropVersionAliases, transition } from "../shared/registry_edits.ts";
import { deleteModelVersion, errorMessage } from "./api.ts";
import { AliasForm } from "./registry/AliasForm.tsx";
import { StageForm } from "./registry/StageForm.tsx";
import { type AliasNotice, useModelAliases } from "./registry/use_aliases.ts";

/** One row of the versions table: what the model page shows of a version. */
export interface VersionRow {
  version: string;
  current_stage: ModelVersionStage;
  creation_timestamp: number;
  status: string;
  run_id?: string;
  /** The logged model it was made from (`model_id`, or a `models:/<id>` source). */
  model_id?: string;
  source: string;
  description?: string;
  tags: Tag[];
}

/** Props of {@linkcode ModelVersions}. */
export interface ModelVersionsProps {
  /** The registered model's name. */
  name: string;
  aliases: RegisteredModelAlias[];
  /** Newest first. */
  versions: VersionRow[];
  /** How many versions the page reads at most, and whether there are more. */
  versionsLimit: number;
  moreVersions: boolean;
  /** Names of source runs and logged models by id; null when not readable. */
  runNames: Record<string, string | null>;
  loggedModelNames: Record<string, string | null>;
  /** EDIT: set aliases, change stages. */
  canEdit: boolean;
  /** MANAGE: remove aliases, delete versions. */
  canDelete: boolean;
}

/**
 * The latest version in each stage (MLflow's `latest_versions`), newest first, from the rows
 * shown, so a stage change or a delete updates it too; the stage `None` gets no badge.
 */
function LatestVersions({ name, versions }: { name: string; versions: VersionRow[] }) {
  const seen = new Set<ModelVersionStage>();
  const latest = versions.filter((v) => !seen.has(v.current_stage) && seen.add(v.current_stage));
  if (latest.length === 0) return null;
  return (
    <span class="versions-latest">
      <span class="muted">Latest:</span>
      <ul class="model-versions-inline">
        {latest.map((v) => (
          <li key={v.version}>
            <a href={modelVersionHref(name, v.version)}>Version {v.version}</a>
            {v.current_stage !== "None" && <StageBadge stage={v.current_stage} />}
          </li>
        ))}
      </ul>
    </span>
  );
}

/**
 * A registered model's aliases and versions, with the registry's actions when the viewer may:
 * set (or move) and remove aliases, change a version's stage (optionally archiving the others in
 * that stage), delete a version after asking. One island, since each action changes both tables.
 */
export function ModelVersions(props: ModelVersionsProps) {
  const { name, canEdit, canDelete, runNames, loggedModelNames } = props;
  const [versions, setVersions] = useState(props.versions);
  const [staging, setStaging] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<AliasNotice | null>(null);
  const { aliases, setAliases, onAliasSet, removeAlias } = useModelAliases({
    name,
    initial: props.aliases,
    versionLabel: (v) => `version ${v}`,
    say: setNotice,
    setBusy,
  });
  const noticeRef = useRef<HTMLDivElement>(null);

  const aliasesOf = new Map<string, string[]>();
  for (const a of aliases) aliasesOf.set(a.version, [...(aliasesOf.get(a.version) ?? []), a.alias]);
  const actions = canEdit || canDelete;

  function onStaged(version: string, stage: ModelVersionStage, archiveExisting: boolean) {
    setVersions((vs) => transition(vs, version, stage, archiveExisting));
    setStaging(null);
    setNotice({
      kind: "info",
      text: `Version ${version} is now in ${stage}${
        archiveExisting ? `; other ${stage} versions were archived` : ""
      }.`,
    });
    setTimeout(() => focusStageButton(version));
  }

  function focusStageButton(version: string) {
    document.querySelector<HTMLButtonElement>(`[data-stage-version="${version}"]`)?.focus();
  }

  async function removeVersion(version: string) {
    setBusy(true);
    try {
      await deleteModelVersion(name, version);
      setVersions((vs) => vs.filter((v) => v.version !== version));
      setAliases((as) => dropVersionAliases(as, version));
      setConfirming(null);
      setNotice({ kind: "info", text: `Deleted version ${version}.` });
      // The row and its buttons are gone: focus the outcome.
      setTimeout(() => noticeRef.current?.focus());
    } catch (err) {
      setNotice({ kind: "error", text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  const cols = actions ? 10 : 9;
  return (
    <>
      <div class="message-slot" aria-live="polite" tabIndex={-1} ref={noticeRef}>
        {notice && (
          <DismissibleNotice
            kind={notice.kind}
            text={notice.text}
            onDismiss={() => setNotice(null)}
          />
        )}
      </div>
      <Section headingId="model-aliases-heading" title="Aliases" note={aliases.length}>
        <div class="table-wrap">
          <table class="table table--kv" id="model-aliases">
            <thead>
              <tr>
                <th scope="col">Alias</th>
                <th scope="col">Version</th>
                {canDelete && (
                  <th scope="col" class="col-actions">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {aliases.length === 0 && (
                <tr>
                  <td colSpan={canDelete ? 3 : 2} class="empty">No aliases.</td>
                </tr>
              )}
              {aliases.map((a) => (
                <tr key={a.alias}>
                  <th scope="row">
                    <AliasChip alias={a.alias} />
                  </th>
                  <td>
                    <a href={modelVersionHref(name, a.version)}>Version {a.version}</a>
                  </td>
                  {canDelete && (
                    <td class="col-actions">
                      <button
                        type="button"
                        class="button button--small button--danger"
                        aria-label={`Remove alias ${a.alias}`}
                        disabled={busy}
                        onClick={() => removeAlias(a.alias)}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canEdit && versions.length > 0 && (
          <AliasForm
            name={name}
            versions={versions.map((v) => v.version)}
            onSet={onAliasSet}
          />
        )}
      </Section>

      <Section
        headingId="model-versions-heading"
        title="Versions"
        note={`${versions.length}${props.moreVersions ? "+" : ""}, newest first`}
        aside={<LatestVersions name={name} versions={versions} />}
      >
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
                {actions && (
                  <th scope="col" class="col-actions">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {versions.length === 0 && (
                <tr>
                  <td colSpan={cols} class="empty">
                    No versions yet. Register one with “Register model” on a run or logged model
                    page, or <code>mlflow.register_model(…, "{name}")</code>.
                  </td>
                </tr>
              )}
              {versions.flatMap((v) => {
                const own = aliasesOf.get(v.version) ?? [];
                const row = (
                  <tr key={v.version} id={versionAnchor(v.version)}>
                    <th scope="row" class="cell-version">
                      <a href={modelVersionHref(name, v.version)}>Version {v.version}</a>
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
                      {own.length === 0 ? <span class="muted">—</span> : (
                        <ul class="aliases">
                          {own.map((a) => (
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
                        id={v.model_id}
                        names={loggedModelNames}
                        href={loggedModelHref}
                        what="Logged model"
                      />
                    </td>
                    <td class="mono cell-source">{v.source}</td>
                    <td class="col-tags">
                      <TagList tags={v.tags} max={3} />
                    </td>
                    {actions && (
                      <td class="col-actions">
                        <div class="row-actions">
                          {canEdit && staging !== v.version && (
                            <button
                              type="button"
                              class="button button--small"
                              data-stage-version={v.version}
                              aria-label={`Change stage of version ${v.version}`}
                              onClick={() => setStaging(v.version)}
                            >
                              Stage…
                            </button>
                          )}
                          {canDelete && (
                            <DeleteConfirm
                              confirming={confirming === v.version}
                              what={`version ${v.version}`}
                              label={`Delete version ${v.version}`}
                              busy={busy}
                              onAsk={() => setConfirming(v.version)}
                              onConfirm={() => removeVersion(v.version)}
                              onCancel={() => setConfirming(null)}
                            />
                          )}
                        </div>
                      </td>
                    )}
                  </tr>
                );
                if (staging !== v.version) return [row];
                return [
                  row,
                  <tr key={`${v.version}-stage`} class="row-form">
                    <td colSpan={cols}>
                      <StageForm
                        name={name}
                        version={v.version}
                        stage={v.current_stage}
                        autoFocus
                        onDone={(s, archive) => onStaged(v.version, s, archive)}
                        onCancel={() => {
                          setStaging(null);
                          setTimeout(() => focusStageButton(v.version));
                        }}
                      />
                    </td>
                  </tr>,
                ];
              })}
            </tbody>
          </table>
        </div>
        {props.moreVersions && (
          <p class="muted">Showing the newest {props.versionsLimit} versions.</p>
        )}
      </Section>
    </>
  );
}
