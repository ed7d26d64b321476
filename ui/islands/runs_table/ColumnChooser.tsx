/**
 * The runs table's column chooser: a button opening a panel with a search box and a checkbox
 * per key, grouped Metrics / Parameters / Tags. It lists every key of the table's experiments
 * (`experiments/list-keys` of each, fetched when the panel first opens, so the first paint pays
 * nothing)
 * together with the keys of the loaded rows; `mlflow.*` system tags only on request. Escape or
 * a click outside closes it, focus going back to the button on Escape.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { errorMessage, isAbort } from "../api.ts";
import { listExperimentKeys } from "./api.ts";
import { type KeyLists, mergeKeys, visibleKeys } from "./keys.ts";
import type { ColumnType } from "./state.ts";

const TYPE_LABELS = { metrics: "Metrics", params: "Parameters", tags: "Tags" } as const;
const TYPES: readonly ColumnType[] = ["metrics", "params", "tags"];
/** Checkboxes drawn per type before "Show all": a sweep may have thousands of keys. */
const SHOWN_PER_TYPE = 200;

/** Props of {@linkcode ColumnChooser}. */
export interface ColumnChooserProps {
  /** The table's experiments (several on `/experiments/compare/<ids>`, at most 20). */
  experimentIds: readonly string[];
  /** Keys of the loaded rows (shown before the experiment's list arrives, or if it fails). */
  seen: KeyLists;
  /** The extra columns shown, as `metrics.<key>`, `params.<key>` or `tags.<key>`. */
  cols: readonly string[];
  onToggle: (id: string) => void;
}

/** The "Columns" button and its panel (see the module doc). */
export function ColumnChooser({ experimentIds, seen, cols, onToggle }: ColumnChooserProps) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [system, setSystem] = useState(false);
  const [all, setAll] = useState(false);
  const [listed, setListed] = useState<Partial<KeyLists> | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const search = useRef<HTMLInputElement>(null);

  // The experiments' keys, once per page view, when the panel first opens.
  const ids = experimentIds.join(",");
  useEffect(() => {
    if (!open || listed) return;
    const ac = new AbortController();
    Promise.all(experimentIds.map((id) => listExperimentKeys(id, ac.signal))).then((replies) => {
      setListed(replies.reduce<KeyLists>(
        (all, r) =>
          mergeKeys(all, { metrics: r.metric_keys, params: r.param_keys, tags: r.tag_keys }),
        { metrics: [], params: [], tags: [] },
      ));
      setNote(
        replies.some((r) => r.truncated)
          ? "Only the first 10,000 keys of each kind per experiment are listed."
          : null,
      );
    }, (err) => {
      if (isAbort(err)) return;
      setListed({});
      setNote(`Showing the loaded runs' keys only: ${errorMessage(err)}`);
    });
    return () => ac.abort();
  }, [open, ids]);

  useEffect(() => {
    if (!open) return;
    search.current?.focus();
    // A click anywhere else closes the panel.
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onDown);
    return () => document.removeEventListener("pointerdown", onDown);
  }, [open]);

  const chosen = new Set(cols);
  const keys = visibleKeys(mergeKeys(seen, listed ?? {}), query, system, chosen);
  const total = TYPES.reduce((n, t) => n + keys[t].length, 0);

  return (
    <div
      class="rt-columns"
      ref={root}
      onKeyDown={(e) => {
        if (e.key !== "Escape" || !open) return;
        e.preventDefault();
        setOpen(false);
        button.current?.focus();
      }}
    >
      <button
        type="button"
        class="button rt-columns__toggle"
        ref={button}
        aria-expanded={open ? "true" : "false"}
        aria-controls="rt-columns-menu"
        onClick={() => setOpen(!open)}
      >
        Columns{cols.length ? ` (${cols.length})` : ""}
      </button>
      {open && (
        <div class="rt-columns__menu" id="rt-columns-menu" role="group" aria-label="Columns">
          <input
            ref={search}
            type="search"
            class="rt-columns__search"
            placeholder="Search keys"
            aria-label="Search columns"
            autocomplete="off"
            spellcheck={false}
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <label class="rt-columns__system">
            <input
              type="checkbox"
              checked={system}
              onChange={(e) => setSystem(e.currentTarget.checked)}
            />
            <span>Show system tags (mlflow.*)</span>
          </label>
          {!listed && <p class="muted" role="status">Loading every key of the experiment…</p>}
          {note && <p class="muted" role="status">{note}</p>}
          <div class="rt-columns__lists">
            {TYPES.map((type) => {
              const list = all ? keys[type] : keys[type].slice(0, SHOWN_PER_TYPE);
              return (
                <fieldset key={type}>
                  <legend>{TYPE_LABELS[type]} ({keys[type].length})</legend>
                  {keys[type].length === 0 && <p class="muted">{query ? "No match" : "None"}</p>}
                  {list.map((key) => {
                    const id = `${type}.${key}`;
                    return (
                      <label key={id} title={key}>
                        <input
                          type="checkbox"
                          checked={chosen.has(id)}
                          onChange={() => onToggle(id)}
                        />
                        <span class="rt-columns__key">{key}</span>
                      </label>
                    );
                  })}
                  {list.length < keys[type].length && (
                    <button
                      type="button"
                      class="button button--small button--link"
                      onClick={() => setAll(true)}
                    >
                      Show all {keys[type].length}
                    </button>
                  )}
                </fieldset>
              );
            })}
          </div>
          {total === 0 && query && <p class="muted">No key contains “{query}”.</p>}
        </div>
      )}
    </div>
  );
}
