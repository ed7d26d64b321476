import { useRef, useState } from "preact/hooks";
import { HeadingRename } from "../components/HeadingRename.tsx";
import { errorMessage, renameExperiment } from "./api.ts";
import { showPageName } from "./page_name.ts";

/** Props of {@linkcode ExperimentHeader}. */
export interface ExperimentHeaderProps {
  experimentId: string;
  name: string;
  deleted: boolean;
  /** Whether the viewer may rename it (EDIT or better; always without auth). */
  canRename: boolean;
}

/**
 * The experiment page's heading: its name, the Deleted badge and Rename in place
 * (`experiments/update`; active experiments only, as the API allows). A rename also updates the
 * breadcrumb and the document title, which the server rendered with the old name.
 */
export function ExperimentHeader(
  { experimentId, name: initialName, deleted, canRename }: ExperimentHeaderProps,
) {
  const [name, setName] = useState(initialName);
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const root = useRef<HTMLDivElement>(null);

  // The Rename button comes back once the form unmounts: focus it after that render.
  const focusRename = () =>
    setTimeout(() => root.current?.querySelector<HTMLElement>("[data-experiment-rename]")?.focus());

  function cancel() {
    setDraft(null);
    setError("");
    focusRename();
  }

  async function save(e: Event) {
    e.preventDefault();
    const next = draft?.trim() ?? "";
    if (!next) return setError("Enter a name");
    if (next === name) return cancel();
    setBusy(true);
    setError("");
    try {
      await renameExperiment(experimentId, next);
      setName(next);
      showPageName(next);
      setDraft(null);
      setNotice(`Renamed to “${next}”`);
      focusRename();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="run-header experiment-header" ref={root}>
      <div class="page-head">
        {draft === null ? <h1>{name}</h1> : (
          <HeadingRename
            id="experiment-name-input"
            label="Experiment name"
            draft={draft}
            invalid={!!error}
            busy={busy}
            onInput={(value) => {
              setDraft(value);
              setError("");
            }}
            onSubmit={save}
            onCancel={cancel}
          />
        )}
        {deleted && <span class="badge badge--deleted">Deleted</span>}
        {draft === null && canRename && !deleted && (
          <span class="run-header__actions">
            <button
              type="button"
              class="button button--small"
              data-experiment-rename
              onClick={() => {
                setDraft(name);
                setNotice("");
              }}
            >
              Rename
            </button>
          </span>
        )}
      </div>
      {error && <p class="field-error" role="alert">{error}</p>}
      <p class="run-header__notice muted" role="status">{notice}</p>
    </div>
  );
}
