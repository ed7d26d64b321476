import { useRef, useState } from "preact/hooks";
import { registeredModelHref } from "../shared/models.ts";
import { createRegisteredModel, errorMessage } from "./api.ts";

/** Props of {@linkcode CreateModel}: none (the island needs no data from the page). */
export type CreateModelProps = Record<string, never>;

/**
 * The models page's "Create model": a button that opens a form (name, optional Markdown
 * description), creates the registered model and opens its page. The API's refusal (a taken
 * name: `RESOURCE_ALREADY_EXISTS`) shows under the name field, in MLflow's words.
 */
export function CreateModel(_props: CreateModelProps) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const n = name.trim();
    if (!n) {
      setError("Enter a name for the new model");
      nameInput.current?.focus();
      return;
    }
    setBusy(true);
    setError("");
    try {
      await createRegisteredModel(n, description.trim());
      location.assign(registeredModelHref(n));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
      nameInput.current?.focus();
    }
  }

  function close() {
    setOpen(false);
    setError("");
    setTimeout(() => opener.current?.focus());
  }

  if (!open) {
    return (
      <button
        type="button"
        class="button button--primary"
        ref={opener}
        onClick={() => setOpen(true)}
      >
        Create model
      </button>
    );
  }
  return (
    <form
      class="create-model"
      onSubmit={submit}
      aria-label="Create model"
      onKeyDown={(e) => e.key === "Escape" && close()}
    >
      <div class="create-model__field">
        <label for="new-model-name">Name</label>
        <input
          id="new-model-name"
          ref={nameInput}
          type="text"
          value={name}
          autoFocus
          autocomplete="off"
          spellcheck={false}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "new-model-error" : undefined}
          onInput={(e) => {
            setName((e.target as HTMLInputElement).value);
            setError("");
          }}
        />
        {error && <p id="new-model-error" class="field-error" role="alert">{error}</p>}
      </div>
      <div class="create-model__field">
        <label for="new-model-description">Description (Markdown, optional)</label>
        <textarea
          id="new-model-description"
          rows={3}
          value={description}
          onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      <div class="create-model__actions">
        <button type="submit" class="button button--primary" disabled={busy}>Create</button>
        <button type="button" class="button" onClick={close}>Cancel</button>
      </div>
    </form>
  );
}
