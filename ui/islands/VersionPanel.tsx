import { useState } from "preact/hooks";
import type { ModelVersionStage, RegisteredModelAlias } from "../../store/registry/types.ts";
import { DismissibleNotice } from "../components/DismissibleNotice.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { AliasChip, StageBadge } from "../components/ModelBadges.tsx";
import { AliasForm } from "./registry/AliasForm.tsx";
import { StageForm } from "./registry/StageForm.tsx";
import { type AliasNotice, useModelAliases } from "./registry/use_aliases.ts";

/** Props of {@linkcode VersionPanel}. */
export interface VersionPanelProps {
  /** The registered model's name. */
  name: string;
  version: string;
  stage: ModelVersionStage;
  /** All the model's aliases: an alias set here that points elsewhere moves (and says so). */
  aliases: RegisteredModelAlias[];
  /** EDIT: change the stage, set aliases. */
  canEdit: boolean;
  /** MANAGE: remove aliases. */
  canDelete: boolean;
}

/**
 * A model version's stage and aliases, with the registry's actions when the viewer may: the
 * stage transition (optionally archiving the model's other versions in that stage), setting an
 * alias here (moving it from another version) and removing one.
 */
export function VersionPanel(props: VersionPanelProps) {
  const { name, version, canEdit, canDelete } = props;
  const [stage, setStage] = useState(props.stage);
  const [notice, setNotice] = useState<AliasNotice | null>(null);
  const [busy, setBusy] = useState(false);
  const { aliases, onAliasSet, removeAlias } = useModelAliases({
    name,
    initial: props.aliases,
    versionLabel: () => "this version",
    say: setNotice,
    setBusy,
  });
  const own = aliases.filter((a) => a.version === version);

  return (
    <div class="version-panel">
      <div class="message-slot" aria-live="polite">
        {notice && (
          <DismissibleNotice
            kind={notice.kind}
            text={notice.text}
            onDismiss={() => setNotice(null)}
          />
        )}
      </div>
      <dl class="meta">
        <MetaItem label="Stage">
          <span id="version-stage">
            <StageBadge stage={stage} />
          </span>
        </MetaItem>
        <MetaItem label="Aliases">
          {own.length === 0
            ? <span class="muted">—</span>
            : (
              <ul class="aliases" id="version-aliases">
                {own.map((a) => (
                  <li key={a.alias}>
                    <AliasChip alias={a.alias} />
                    {canDelete && (
                      <button
                        type="button"
                        class="alias__remove"
                        aria-label={`Remove alias ${a.alias}`}
                        disabled={busy}
                        onClick={() => removeAlias(a.alias)}
                      >
                        ×
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
        </MetaItem>
      </dl>
      {canEdit && (
        <div class="version-panel__forms">
          <StageForm
            name={name}
            version={version}
            stage={stage}
            onDone={(s, archived) => {
              setStage(s);
              setNotice({
                kind: "info",
                text: `Moved to ${s}${archived ? `; other ${s} versions were archived` : ""}.`,
              });
            }}
          />
          <AliasForm
            name={name}
            versions={[version]}
            onSet={onAliasSet}
          />
        </div>
      )}
    </div>
  );
}
