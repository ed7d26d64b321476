import { useState } from "preact/hooks";
import { MODEL_VERSION_STAGES, type ModelVersionStage } from "../../../store/registry/types.ts";
import { ARCHIVING_STAGES } from "../../shared/registry_edits.ts";
import { errorMessage, transitionModelVersionStage } from "../api.ts";

/** Props of {@linkcode StageForm}. */
export interface StageFormProps {
  name: string;
  version: string;
  stage: ModelVersionStage;
  /** Called once the server moved the version (with what was asked, to update the page). */
  onDone: (stage: ModelVersionStage, archiveExisting: boolean) => void;
  /** Closes the form without a change (absent: the form stays, as on the version page). */
  onCancel?: () => void;
  /** Focus the stage picker when shown (opened from a button that goes away). */
  autoFocus?: boolean;
}

/**
 * A version's stage transition: None / Staging / Production / Archived, and for Staging and
 * Production MLflow's "archive existing versions" in that stage.
 */
export function StageForm(props: StageFormProps) {
  const { name, version, onDone, onCancel } = props;
  const [stage, setStage] = useState<ModelVersionStage>(props.stage);
  const [archive, setArchive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const id = `stage-${version}`;
  const archivable = ARCHIVING_STAGES.includes(stage);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const archiveExisting = archivable && archive;
      await transitionModelVersionStage({ name, version, stage, archiveExisting });
      onDone(stage, archiveExisting);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="stage-form" onSubmit={submit} aria-label={`Stage of version ${version}`}>
      <label for={id}>Stage</label>
      <select
        id={id}
        value={stage}
        autoFocus={props.autoFocus}
        onChange={(e) => setStage((e.target as HTMLSelectElement).value as ModelVersionStage)}
        onKeyDown={(e) => e.key === "Escape" && onCancel?.()}
      >
        {MODEL_VERSION_STAGES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      {archivable && (
        <label class="check">
          <input
            type="checkbox"
            checked={archive}
            onChange={(e) => setArchive((e.target as HTMLInputElement).checked)}
          />
          Archive other {stage} versions
        </label>
      )}
      <button type="submit" class="button button--primary button--small" disabled={busy}>
        Change stage
      </button>
      {onCancel && (
        <button type="button" class="button button--small" onClick={onCancel}>Cancel</button>
      )}
      {error && <p class="field-error" role="alert">{error}</p>}
    </form>
  );
}
