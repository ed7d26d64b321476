import type { LoggedModelStatus } from "../../store/logged_models/types.ts";
import type { ModelVersionStage } from "../../store/registry/types.ts";

const STATUS: Record<LoggedModelStatus, { label: string; cls: string }> = {
  LOGGED_MODEL_READY: { label: "Ready", cls: "badge--finished" },
  LOGGED_MODEL_PENDING: { label: "Pending", cls: "badge--running" },
  LOGGED_MODEL_UPLOAD_FAILED: { label: "Upload failed", cls: "badge--failed" },
};

/** A logged model's status as a badge (the word carries the meaning; the colour decorates). */
export function LoggedModelStatusBadge({ status }: { status: LoggedModelStatus }) {
  const s = STATUS[status] ?? { label: status, cls: "" };
  return (
    <span class={`badge ${s.cls}`} title={status}>
      <span class="badge__dot" aria-hidden="true" />
      {s.label}
    </span>
  );
}

/**
 * A registered model version's stage as a badge; `None` (no stage) as plain muted text, not a
 * badge — lists that mention a version's stage only when it has one (as MLflow does) skip it.
 */
export function StageBadge({ stage }: { stage: ModelVersionStage }) {
  if (stage === "None") return <span class="muted">None</span>;
  return <span class={`badge badge--stage-${stage.toLowerCase()}`}>{stage}</span>;
}

/** An alias as a chip, `@champion`. */
export function AliasChip({ alias }: { alias: string }) {
  return <span class="alias">@{alias}</span>;
}

/** Props of {@linkcode AliasLinks}. */
export interface AliasLinksProps {
  aliases: readonly { alias: string; version: string }[];
  /** Where an alias's version is shown. */
  href: (version: string) => string;
  /** Extra classes of the list. */
  class?: string;
}

/** A model's (or prompt's) aliases, each a chip and its version, linked to that version. */
export function AliasLinks({ aliases, href, class: cls }: AliasLinksProps) {
  return (
    <ul class={cls ? `aliases ${cls}` : "aliases"}>
      {aliases.map((a) => (
        <li key={a.alias}>
          <a href={href(a.version)}>
            <AliasChip alias={a.alias} />
            <span class="alias__version">v{a.version}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
