import { useRef, useState } from "preact/hooks";
import { modelVersionHref } from "../shared/models.ts";
import {
  ApiError,
  createModelVersion,
  createRegisteredModel,
  errorMessage,
  searchRegisteredModels,
} from "./api.ts";

/** Something a version can be registered from, with the body MLflow's client would send. */
export interface RegisterSource {
  /** What the picker shows ("churn-model (logged model)", "model"). */
  label: string;
  /** `models:/<model_id>`, or a run's artifact URI with the model's path. */
  source: string;
  runId?: string;
  modelId?: string;
}

/** Props of {@linkcode RegisterModel}. */
export interface RegisterModelProps {
  /** The choices, first preselected. */
  sources: RegisterSource[];
  /**
   * On a run page: the run's id and artifact root, so any artifact path of the run can be typed
   * (source `<artifact root>/<path>`, what MLflow's client sends for `runs:/<id>/<path>`).
   */
  run?: { runId: string; artifactUri: string };
}

/** The picker's value for "type an artifact path". */
const TYPED = "__path__";
/** Names offered in the model-name field (the registry's first page, in name order). */
const NAME_CHOICES = 1000;

/**
 * "Register model": registers a logged model or a run's artifact path as a new version of a
 * registered model picked from the existing names or typed (a new name creates the model, as
 * `mlflow.register_model` does), then links to the new version's page.
 */
export function RegisterModel({ sources, run }: RegisterModelProps) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState(sources.length ? "0" : TYPED);
  const [path, setPath] = useState("");
  const [name, setName] = useState("");
  const [names, setNames] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [done, setDone] = useState<{ name: string; version: string } | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const result = useRef<HTMLAnchorElement>(null);
  const typed = choice === TYPED;

  function show() {
    setOpen(true);
    setDone(null);
    if (names === null) {
      // The picker is a convenience: without it any name can still be typed.
      searchRegisteredModels({ maxResults: NAME_CHOICES })
        .then((r) => setNames((r.registered_models ?? []).map((m) => m.name)), () => setNames([]));
    }
  }

  function close() {
    setOpen(false);
    setError("");
    setTimeout(() => opener.current?.focus());
  }

  function target(): { source: string; runId?: string; modelId?: string } | string {
    if (!typed) return sources[Number(choice)];
    const p = path.trim().replace(/^\/+|\/+$/g, "");
    if (!run || !p) return "Enter the artifact path of the model, e.g. model";
    return { source: `${run.artifactUri.replace(/\/+$/, "")}/${p}`, runId: run.runId };
  }

  async function submit(e: Event) {
    e.preventDefault();
    const n = name.trim();
    const t = target();
    if (!n) return setError("Enter a model name, or pick one");
    if (typeof t === "string") return setError(t);
    setBusy(true);
    setError("");
    try {
      if (!names?.includes(n)) {
        // A new name: create the model first, as the client's register_model does; one created
        // meanwhile (or not in the picker's first page) is fine.
        await createRegisteredModel(n).catch((err) => {
          if (!(err instanceof ApiError && err.code === "RESOURCE_ALREADY_EXISTS")) throw err;
        });
      }
      const { model_version } = await createModelVersion({ name: n, ...t });
      setDone({ name: n, version: model_version.version });
      setNames((ns) => ns && !ns.includes(n) ? [...ns, n].sort() : ns);
      setOpen(false);
      // The form goes away: focus the link to the new version.
      setTimeout(() => result.current?.focus());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <div class="register-model">
        <button type="button" class="button" ref={opener} onClick={show}>
          Register model
        </button>
        {done && (
          <p class="notice notice--info" role="status">
            Registered as{" "}
            <a href={modelVersionHref(done.name, done.version)} ref={result}>
              {done.name} version {done.version}
            </a>
          </p>
        )}
      </div>
    );
  }
  return (
    <form
      class="register-model register-model--open"
      onSubmit={submit}
      aria-label="Register model"
      onKeyDown={(e) => e.key === "Escape" && close()}
    >
      {(sources.length > 1 || (run && sources.length > 0)) && (
        <div class="register-model__field">
          <label for="register-source">Model to register</label>
          <select
            id="register-source"
            value={choice}
            onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}
          >
            {sources.map((s, i) => <option key={s.source} value={String(i)}>{s.label}</option>)}
            {run && <option value={TYPED}>Another artifact path…</option>}
          </select>
        </div>
      )}
      {sources.length === 1 && !run && (
        <p class="register-model__from">
          From <span class="mono">{sources[0].source}</span>
        </p>
      )}
      {typed && (
        <div class="register-model__field">
          <label for="register-path">Artifact path in the run</label>
          <input
            id="register-path"
            value={path}
            placeholder="model"
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setPath((e.target as HTMLInputElement).value)}
          />
        </div>
      )}
      <div class="register-model__field">
        <label for="register-name">Registered model</label>
        <input
          id="register-name"
          list="register-names"
          value={name}
          autoFocus
          autocomplete="off"
          spellcheck={false}
          placeholder="an existing name, or a new one"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "register-error" : "register-hint"}
          onInput={(e) => {
            setName((e.target as HTMLInputElement).value);
            setError("");
          }}
        />
        <datalist id="register-names">
          {(names ?? []).map((n) => <option key={n} value={n} />)}
        </datalist>
        {error
          ? <p id="register-error" class="field-error" role="alert">{error}</p>
          : (
            <p id="register-hint" class="muted register-model__hint">
              {name.trim() && names && !names.includes(name.trim())
                ? "A new registered model will be created."
                : "Pick a registered model or type a new name."}
            </p>
          )}
      </div>
      <div class="register-model__actions">
        <button type="submit" class="button button--primary" disabled={busy}>Register</button>
        <button type="button" class="button" onClick={close}>Cancel</button>
      </div>
    </form>
  );
}
