import { useRef, useState } from "preact/hooks";
import type { RunStatus as Status } from "../../store/types.ts";
import { HeadingRename } from "../components/HeadingRename.tsx";
import { RunStatus } from "../components/RunStatus.tsx";
import { errorMessage } from "./api.ts";
import { deleteRun, renameRun, restoreRun } from "./run_page/api.ts";
import { showPageName } from "./page_name.ts";

/** Props of {@linkcode RunHeader}. */
export interface RunHeaderProps {
  runId: string;
  /** The run's name (its id when unnamed). */
  name: string;
  status: Status;
  deleted: boolean;
  /**
   * What the viewer may do, decided on the server from their permission (all true without auth):
   * rename needs EDIT, delete and restore MANAGE, as the API checks.
   */
  may: { rename: boolean; delete: boolean };
}

/**
 * The run page's heading: name, status, Deleted badge, and the run's actions — Rename in place
 * (`runs/update` `run_name`; only active runs, as the API allows), Delete after a confirmation
 * asked in place, and Restore.
 */
export function RunHeader(
  { runId, name: initialName, status, deleted: wasDeleted, may }: RunHeaderProps,
) {
  const [name, setName] = useState(initialName);
  const [deleted, setDeleted] = useState(wasDeleted);
  const [draft, setDraft] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const root = useRef<HTMLDivElement>(null);

  // Focus the control that replaces the one just clicked (it unmounted with the click).
  const focus = (selector: string) =>
    setTimeout(() => root.current?.querySelector<HTMLElement>(selector)?.focus());

  async function act(run: () => Promise<void>) {
    setBusy(true);
    setError("");
    try {
      await run();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const save = (e: Event) => {
    e.preventDefault();
    const next = draft?.trim() ?? "";
    if (!next) return setError("Enter a name");
    return act(async () => {
      await renameRun(runId, next);
      setName(next);
      showPageName(next);
      setDraft(null);
      setNotice(`Renamed to “${next}”`);
      focus("[data-run-rename]");
    });
  };

  const remove = () =>
    act(async () => {
      await deleteRun(runId);
      setDeleted(true);
      setConfirming(false);
      setNotice("Run deleted. Restore it here or from the experiment's Deleted view.");
      focus("[data-run-restore]");
    });

  const restore = () =>
    act(async () => {
      await restoreRun(runId);
      setDeleted(false);
      setNotice("Run restored");
      focus("[data-run-delete]");
    });

  return (
    <div class="run-header" ref={root}>
      <div class="page-head">
        {draft === null ? <h1>{name}</h1> : (
          <HeadingRename
            id="run-name-input"
            label="Run name"
            draft={draft}
            invalid={!!error}
            busy={busy}
            onInput={(value) => {
              setDraft(value);
              setError("");
            }}
            onSubmit={save}
            onCancel={() => {
              setDraft(null);
              setError("");
              focus("[data-run-rename]");
            }}
          />
        )}
        <RunStatus status={status} />
        {deleted && <span class="badge badge--deleted">Deleted</span>}
        {draft === null && !confirming && (
          <span class="run-header__actions">
            {may.rename && !deleted && (
              <button
                type="button"
                class="button button--small"
                data-run-rename
                onClick={() => {
                  setDraft(name);
                  setNotice("");
                }}
              >
                Rename
              </button>
            )}
            {may.delete && (deleted
              ? (
                <button
                  type="button"
                  class="button button--small"
                  data-run-restore
                  disabled={busy}
                  onClick={restore}
                >
                  Restore run
                </button>
              )
              : (
                <button
                  type="button"
                  class="button button--small button--danger"
                  data-run-delete
                  onClick={() => {
                    setConfirming(true);
                    setNotice("");
                    focus("[data-run-delete-confirm]");
                  }}
                >
                  Delete run
                </button>
              ))}
          </span>
        )}
        {confirming && (
          <span class="confirm" role="group" aria-label="Confirm deletion">
            <span>Delete run “{name}”? You can restore it later.</span>
            <button
              type="button"
              class="button button--small button--danger"
              data-run-delete-confirm
              disabled={busy}
              onClick={remove}
            >
              Yes, delete run
            </button>
            <button
              type="button"
              class="button button--small"
              onClick={() => {
                setConfirming(false);
                focus("[data-run-delete]");
              }}
            >
              Cancel
            </button>
          </span>
        )}
      </div>
      {error && <p class="field-error" role="alert">{error}</p>}
      <p class="run-header__notice muted" role="status">{notice}</p>
    </div>
  );
}
