import { useState } from "preact/hooks";
import { DeleteConfirm } from "../components/DeleteConfirm.tsx";
import { deleteModelVersion, deleteRegisteredModel, errorMessage } from "./api.ts";

/** Props of {@linkcode RegistryDelete}. */
export interface RegistryDeleteProps {
  /** The registered model's name. */
  name: string;
  /** The version to delete; absent to delete the model (and, on the server, all its versions). */
  version?: string;
  /** What the question names ("model “churn” and its 3 versions", "version 2"). */
  what: string;
  /** Where to go once it is gone (the models list, the model's page). */
  then: string;
}

/**
 * Deletes a registered model or one version, after asking in place; then leaves for `then`,
 * since the page it was on no longer exists. Rendered only for viewers who may (MANAGE).
 */
export function RegistryDelete({ name, version, what, then }: RegistryDeleteProps) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function confirm() {
    setBusy(true);
    setError("");
    try {
      await (version === undefined
        ? deleteRegisteredModel(name)
        : deleteModelVersion(name, version));
      location.assign(then);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <div class="registry-delete">
      <DeleteConfirm
        confirming={confirming}
        what={what}
        label={version === undefined ? `Delete model ${name}` : `Delete version ${version}`}
        busy={busy}
        onAsk={() => setConfirming(true)}
        onConfirm={confirm}
        onCancel={() => setConfirming(false)}
      />
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
