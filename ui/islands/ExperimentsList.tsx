import type { TargetedEvent } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Experiment } from "../../store/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { SearchField } from "../components/SearchField.tsx";
import { DismissibleNotice } from "../components/DismissibleNotice.tsx";
import { TableFoot } from "../components/TableFoot.tsx";
import { ViewToggle } from "../components/ViewToggle.tsx";
import { TagList } from "../components/TagList.tsx";
import { PurgeConfirm } from "../components/PurgeConfirm.tsx";
import { deleteExperimentPermanently } from "./purge_api.ts";
import {
  EXPERIMENTS_ORDER,
  experimentsHref,
  type ExperimentView,
  toExperimentFilter,
  viewType,
} from "../shared/experiment_filter.ts";
import { userTags } from "../shared/tags.ts";
import { compareExperimentsHref, MAX_COMPARE_EXPERIMENTS } from "../shared/experiment_ids.ts";
import {
  createExperiment,
  deleteExperiment,
  errorMessage,
  getExperiment,
  isAbort,
  renameExperiment,
  restoreExperiment,
  searchExperiments,
} from "./api.ts";

/** Props of {@linkcode ExperimentsList}: the server's first page, so the first paint has data. */
/** MLflow's Default experiment, which the server never deletes. */
const DEFAULT_EXPERIMENT_ID = "0";

export interface ExperimentsListProps {
  experiments: Experiment[];
  nextPageToken: string | null;
  /** The search box's text (`?filter=`), before {@linkcode toExperimentFilter}. */
  query: string;
  view: ExperimentView;
  /** The API's message when the server-side search failed (a bad `?filter=`). */
  error: string | null;
  /** `max_results` of every search, the first page included. */
  pageSize: number;
  /**
   * Deleted experiments the viewer may delete permanently (MANAGE): all, or these ids (decided
   * server-side); absent: none.
   */
  purgeable?: "all" | string[];
}

interface Message {
  kind: "info" | "error";
  text: string;
  /** Offer "Undo" (restore) for this just-deleted experiment. */
  undo?: Experiment;
}

interface Editing {
  id: string;
  name: string;
  error?: string;
}

const SEARCH_DELAY_MS = 250;

/**
 * The experiments list: search (names or MLflow's filter grammar), Active / Deleted / All,
 * create, rename in place, delete with undo, restore, "Load more" paging, and ticking rows to
 * see their runs in one table ("Compare", `/experiments/compare/1,7`).
 */
export function ExperimentsList(props: ExperimentsListProps) {
  const [rows, setRows] = useState(props.experiments);
  const [next, setNext] = useState(props.nextPageToken);
  const [query, setQuery] = useState(props.query);
  const [view, setView] = useState(props.view);
  const [searchError, setSearchError] = useState(props.error);
  const [loading, setLoading] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  // Column widths when a rename began: held while the name is an input with buttons, so the
  // table's columns do not jump to make room for them (see frozen).
  const [widths, setWidths] = useState<number[] | null>(null);
  const table = useRef<HTMLTableElement>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [newName, setNewName] = useState("");
  const [createError, setCreateError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [purging, setPurging] = useState<string | null>(null);
  // Experiments ticked for "Compare" (their runs in one table), in the order they were ticked.
  const [ticked, setTicked] = useState<string[]>([]);
  const root = useRef<HTMLElement>(null);
  const pending = useRef<AbortController | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const focusAfter = useRef<string[]>([]);

  useLayoutEffect(() => {
    // Keyboard users keep their place: after an action, focus moves to the first of these
    // selectors that the new render shows (a new input, the Undo button, the row's button).
    for (const selector of focusAfter.current) {
      const el = root.current?.querySelector<HTMLElement>(selector);
      if (el) {
        el.focus();
        focusAfter.current = [];
        return;
      }
    }
  });

  /** Where focus goes once the next render shows it; set right before that state change. */
  function focusNext(...selectors: string[]) {
    focusAfter.current = selectors;
  }

  const rowButton = (id: string) => `[data-rename="${CSS.escape(id)}"]`;

  async function load(q: string, v: ExperimentView, pageToken?: string) {
    pending.current?.abort();
    const ac = new AbortController();
    pending.current = ac;
    setLoading(true);
    try {
      const res = await searchExperiments({
        filter: toExperimentFilter(q),
        orderBy: [...EXPERIMENTS_ORDER],
        viewType: viewType(v),
        maxResults: props.pageSize,
        pageToken,
      }, ac.signal);
      const found = res.experiments ?? [];
      setRows((prev) => pageToken ? [...prev, ...found] : found);
      setNext(res.next_page_token ?? null);
      setSearchError(null);
    } catch (err) {
      if (isAbort(err)) return;
      setSearchError(errorMessage(err));
      if (!pageToken) {
        setRows([]);
        setNext(null);
      }
    } finally {
      if (pending.current === ac) setLoading(false);
    }
  }

  function search(q: string, v: ExperimentView) {
    clearTimeout(timer.current);
    history.replaceState(null, "", experimentsHref(q, v));
    return load(q, v);
  }

  function onQueryInput(q: string) {
    setQuery(q);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => search(q, view), SEARCH_DELAY_MS);
  }

  function onSearchSubmit(e: TargetedEvent<HTMLFormElement>) {
    e.preventDefault();
    search(query, view);
  }

  function onViewSelect(v: ExperimentView) {
    setView(v);
    setMessage(null);
    search(query, v);
  }

  async function onCreate(e: TargetedEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = newName.trim();
    if (!name) {
      focusNext("#new-experiment-name");
      setCreateError("Enter a name for the new experiment");
      return;
    }
    setCreating(true);
    try {
      await createExperiment(name);
      setNewName("");
      setCreateError(null);
      setMessage({ kind: "info", text: `Created experiment “${name}”` });
      await load(query, view);
    } catch (err) {
      focusNext("#new-experiment-name");
      setCreateError(errorMessage(err));
    } finally {
      setCreating(false);
    }
  }

  /**
   * Runs a row action, then refreshes that row in place (or drops it if the view hides it) and
   * moves focus to `focus` (first match).
   */
  async function act(
    exp: Experiment,
    action: () => Promise<unknown>,
    done: Message,
    focus: string[],
  ) {
    setBusy(exp.experiment_id);
    try {
      await action();
      const fresh = (await getExperiment(exp.experiment_id)).experiment;
      const hidden = (view === "active" && fresh.lifecycle_stage === "deleted") ||
        (view === "deleted" && fresh.lifecycle_stage === "active");
      setRows((prev) =>
        hidden
          ? prev.filter((r) => r.experiment_id !== fresh.experiment_id)
          : prev.map((r) => (r.experiment_id === fresh.experiment_id ? fresh : r))
      );
      focusNext(...focus);
      setMessage(done);
      return true;
    } catch (err) {
      setMessage({ kind: "error", text: errorMessage(err) });
      return false;
    } finally {
      setBusy(null);
    }
  }

  function onDelete(exp: Experiment) {
    act(exp, () => deleteExperiment(exp.experiment_id), {
      kind: "info",
      text: `Deleted experiment “${exp.name}”`,
      undo: exp,
    }, ["[data-undo]"]);
  }

  async function onRestore(exp: Experiment, reload = false) {
    const ok = await act(exp, () => restoreExperiment(exp.experiment_id), {
      kind: "info",
      text: `Restored experiment “${exp.name}”`,
    }, [rowButton(exp.experiment_id), "#experiment-search"]);
    // An undo puts the row back where the current search order places it.
    if (ok && reload) await load(query, view);
  }

  const mayPurge = (id: string) =>
    props.purgeable === "all" || (props.purgeable?.includes(id) ?? false);

  async function onPurge(exp: Experiment) {
    setBusy(exp.experiment_id);
    try {
      await deleteExperimentPermanently(exp.experiment_id);
      setRows((prev) => prev.filter((r) => r.experiment_id !== exp.experiment_id));
      setMessage({ kind: "info", text: `Permanently deleted experiment “${exp.name}”` });
      focusNext("#experiment-search");
    } catch (err) {
      setMessage({ kind: "error", text: errorMessage(err) });
    } finally {
      setPurging(null);
      setBusy(null);
    }
  }

  /** A header's held width while renaming (set through the CSSOM, which the CSP allows). */
  function frozen(i: number): { width: string } | undefined {
    return editing && widths?.[i] ? { width: `${widths[i]}px` } : undefined;
  }

  function startEdit(exp: Experiment) {
    const ths = table.current?.querySelectorAll("thead th") ?? [];
    setWidths([...ths].map((th) => th.getBoundingClientRect().width));
    focusNext("#rename-input");
    setEditing({ id: exp.experiment_id, name: exp.name });
  }

  function cancelEdit() {
    if (editing) focusNext(rowButton(editing.id));
    setEditing(null);
  }

  async function saveEdit(e: TargetedEvent<HTMLFormElement>, exp: Experiment) {
    e.preventDefault();
    if (!editing) return;
    const name = editing.name.trim();
    if (name === exp.name) return cancelEdit();
    setBusy(exp.experiment_id);
    try {
      await renameExperiment(exp.experiment_id, name);
      const fresh = (await getExperiment(exp.experiment_id)).experiment;
      setRows((prev) => prev.map((r) => (r.experiment_id === fresh.experiment_id ? fresh : r)));
      setMessage({ kind: "info", text: `Renamed “${exp.name}” to “${fresh.name}”` });
      focusNext(rowButton(exp.experiment_id));
      setEditing(null);
    } catch (err) {
      setEditing({ ...editing, error: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  }

  function toggleTicked(id: string) {
    setTicked((t) => t.includes(id) ? t.filter((x) => x !== id) : [...t, id]);
  }

  const emptyText = query.trim()
    ? "No experiments match this search."
    : view === "deleted"
    ? "No deleted experiments."
    : "No experiments yet. Create one above, or log a run with the MLflow client.";

  return (
    <section class="experiments" ref={root} aria-label="Experiments">
      <div class="toolbar">
        <form class="search" role="search" method="get" action="/" onSubmit={onSearchSubmit}>
          <SearchField
            id="experiment-search"
            label="Search experiments"
            value={query}
            placeholder="Search by name, or filter: tags.team = 'nlp'"
            invalid={!!searchError}
            onInput={onQueryInput}
          />
          {view !== "active" && <input type="hidden" name="view" value={view} />}
        </form>
        <ViewToggle
          view={view}
          href={(v) => experimentsHref(query, v)}
          onSelect={onViewSelect}
        />
        <form class="create" onSubmit={onCreate} aria-label="Create experiment">
          <label class="visually-hidden" for="new-experiment-name">New experiment name</label>
          {/* The error sits under the name field it is about, not under the search box. */}
          <div class="create__field">
            <input
              id="new-experiment-name"
              type="text"
              value={newName}
              placeholder="New experiment name"
              autocomplete="off"
              aria-invalid={createError ? "true" : undefined}
              aria-describedby={createError ? "new-experiment-error" : undefined}
              onInput={(e) => {
                setNewName(e.currentTarget.value);
                setCreateError(null);
              }}
            />
            {createError && (
              <p id="new-experiment-error" class="field-error" role="alert">{createError}</p>
            )}
          </div>
          <button type="submit" class="button button--primary" disabled={creating}>
            Create
          </button>
        </form>
      </div>
      {searchError && (
        <p id="experiment-search-error" class="field-error" role="alert">{searchError}</p>
      )}
      <div class="experiments-actions" aria-live="polite">
        <span class="muted">
          {ticked.length
            ? `${ticked.length} selected`
            : "Tick experiments to see their runs in one table"}
        </span>
        {ticked.length > MAX_COMPARE_EXPERIMENTS
          ? <span class="field-error">Compare at most {MAX_COMPARE_EXPERIMENTS} at once</span>
          : ticked.length > 1 && (
            <a class="button button--small" href={compareExperimentsHref(ticked)} data-compare>
              Compare {ticked.length} experiments
            </a>
          )}
        {ticked.length === 1 && <span class="muted">Tick another to compare their runs</span>}
        {ticked.length > 0 && (
          <button
            type="button"
            class="button button--small button--link"
            onClick={() => setTicked([])}
          >
            Clear selection
          </button>
        )}
      </div>
      <div class="message-slot" aria-live="polite">
        {message && (
          <DismissibleNotice
            kind={message.kind}
            text={message.text}
            onDismiss={() => setMessage(null)}
            onUndo={message.undo && (() => onRestore(message.undo!, true))}
          />
        )}
      </div>
      <div class="table-wrap">
        <table
          ref={table}
          class={editing && widths ? "table table--frozen" : "table"}
          aria-busy={loading ? "true" : undefined}
        >
          <thead>
            <tr>
              <th scope="col" class="col-check" style={frozen(0)}>
                <span class="visually-hidden">Select</span>
              </th>
              <th scope="col" style={frozen(1)}>Name</th>
              <th scope="col" class="col-id" style={frozen(2)}>ID</th>
              <th scope="col" class="col-time" style={frozen(3)}>Created</th>
              <th scope="col" class="col-time col-updated" style={frozen(4)}>Last updated</th>
              <th scope="col" class="col-tags" style={frozen(5)}>Tags</th>
              <th scope="col" class="col-actions" style={frozen(6)}>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={7} class="empty">{searchError ? "—" : emptyText}</td>
              </tr>
            )}
            {rows.map((exp) => {
              const id = exp.experiment_id;
              const deleted = exp.lifecycle_stage === "deleted";
              const isBusy = busy === id;
              return (
                <tr key={id} class={deleted ? "is-deleted" : undefined}>
                  <td class="col-check">
                    <input
                      type="checkbox"
                      aria-label={`Select ${exp.name}`}
                      checked={ticked.includes(id)}
                      onChange={() => toggleTicked(id)}
                    />
                  </td>
                  <td class="cell-name">
                    {editing?.id === id
                      ? (
                        <form class="inline-edit" onSubmit={(e) => saveEdit(e, exp)}>
                          <input
                            id="rename-input"
                            type="text"
                            value={editing.name}
                            aria-label={`New name for ${exp.name}`}
                            aria-invalid={editing.error ? "true" : undefined}
                            aria-describedby={editing.error ? "rename-error" : undefined}
                            onInput={(e) => setEditing({ ...editing, name: e.currentTarget.value })}
                            onKeyDown={(e) => e.key === "Escape" && cancelEdit()}
                          />
                          <span class="inline-edit__buttons">
                            <button type="submit" class="button button--primary" disabled={isBusy}>
                              Save
                            </button>
                            <button type="button" class="button" onClick={cancelEdit}>
                              Cancel
                            </button>
                          </span>
                          {editing.error && (
                            <p id="rename-error" class="field-error" role="alert">
                              {editing.error}
                            </p>
                          )}
                        </form>
                      )
                      : (
                        <>
                          <a href={`/experiments/${encodeURIComponent(id)}`}>{exp.name}</a>
                          {deleted && <span class="badge badge--deleted">Deleted</span>}
                        </>
                      )}
                  </td>
                  <td class="col-id num">{id}</td>
                  <td class="col-time">
                    <DateTime ms={exp.creation_time} />
                  </td>
                  <td class="col-time col-updated">
                    <DateTime ms={exp.last_update_time} />
                  </td>
                  <td class="col-tags">
                    <TagList tags={userTags(exp.tags)} />
                  </td>
                  <td class="col-actions">
                    {deleted
                      ? (
                        <>
                          <button
                            type="button"
                            class="button button--small"
                            aria-label={`Restore ${exp.name}`}
                            disabled={isBusy}
                            onClick={() => onRestore(exp)}
                          >
                            Restore
                          </button>
                          {mayPurge(id) && (
                            <PurgeConfirm
                              confirming={purging === id}
                              what={`experiment “${exp.name}”`}
                              busy={isBusy}
                              onAsk={() => setPurging(id)}
                              onConfirm={() => onPurge(exp)}
                              onCancel={() => setPurging(null)}
                            />
                          )}
                        </>
                      )
                      : (
                        <>
                          <button
                            type="button"
                            class="button button--small"
                            aria-label={`Rename ${exp.name}`}
                            data-rename={id}
                            disabled={isBusy || editing?.id === id}
                            onClick={() => startEdit(exp)}
                          >
                            Rename
                          </button>
                          {/* The server refuses to delete Default: no button to fail. */}
                          {id !== DEFAULT_EXPERIMENT_ID && (
                            <button
                              type="button"
                              class="button button--small button--danger"
                              aria-label={`Delete ${exp.name}`}
                              disabled={isBusy}
                              onClick={() => onDelete(exp)}
                            >
                              Delete
                            </button>
                          )}
                        </>
                      )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <TableFoot
        count={rows.length}
        noun="experiment"
        partial="shown"
        more={!!next}
        loading={loading}
        onMore={() => next && load(query, view, next)}
      />
    </section>
  );
}
