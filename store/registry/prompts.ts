/**
 * MLflow 3's prompt registry on top of the model registry: a prompt is a registered model tagged
 * `mlflow.prompt.is_prompt = true`, and each of its versions carries the template in the
 * `mlflow.prompt.text` tag and a placeholder `source` (the 3.1.3 client sends `dummy-source`).
 *
 * kvflow keeps a prompt version's `source` as an opaque label: it is never resolved, has no
 * download URI and no files. So that the prompt tag is no way around the `source` rules of
 * `source.ts` (MLflow 3.1.3 skips its checks when the tag is present and stores `file:///etc`),
 * a label cannot look like a location, the tag is accepted only on versions of a registered
 * model that is a prompt, and neither tag of prompt-ness changes after creation.
 *
 * @module
 */
import { invalidParam, MlflowError } from "../errors.ts";
import type { Tag } from "../types.ts";

/** The tag that makes a registered model, and each of its versions, a prompt. */
export const IS_PROMPT_TAG = "mlflow.prompt.is_prompt";
/** The version tag holding a prompt's template. */
export const PROMPT_TEXT_TAG = "mlflow.prompt.text";

/** Letters, digits, `_ . -`, starting with a letter or digit: no `:`, `/`, `\` or `%`. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$/;

/**
 * True when `tags` mark their entity as a prompt: the value exactly `true`, as MLflow's client
 * writes it and as a `= 'true'` filter matches it, so an entity is a prompt everywhere or nowhere.
 */
export function isPrompt(tags: readonly Tag[] | undefined): boolean {
  return (tags ?? []).some((t) => t.key === IS_PROMPT_TAG && t.value === "true");
}

/**
 * Checks a new version that claims to be a prompt: its registered model must be one, and its
 * `source` must be a plain label.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` otherwise.
 */
export function checkPromptVersion(name: string, modelTags: readonly Tag[], source: string): void {
  if (!isPrompt(modelTags)) {
    throw invalidParam(
      `Tag '${IS_PROMPT_TAG}' is only allowed on versions of a prompt, and registered model ` +
        `'${name}' is not one (it was not created with that tag)`,
    );
  }
  if (!LABEL.test(source)) {
    const shown = source.length > 200 ? `${source.slice(0, 200)}…` : source;
    throw invalidParam(
      `Invalid prompt version source ${JSON.stringify(shown)}: a prompt's source is a label ` +
        "(letters, digits, '_', '.', '-'; at most 100), never a location; the template belongs " +
        `in tag '${PROMPT_TEXT_TAG}'`,
    );
  }
}

/**
 * Refuses setting or deleting the prompt tag on an existing registered model or version: whether
 * an entity is a prompt is decided when it is created.
 */
export function checkPromptTagChange(key: string, what: "registered model" | "model version") {
  if (key !== IS_PROMPT_TAG) return;
  throw invalidParam(
    `Tag '${IS_PROMPT_TAG}' is set when a ${what} is created and cannot be changed afterwards`,
  );
}

/** The error for the files of a prompt version, which has none. */
export function promptHasNoFiles(name: string, version: string): MlflowError {
  return new MlflowError(
    "RESOURCE_DOES_NOT_EXIST",
    `Version ${version} of prompt '${name}' has no files: its template is the model version tag ` +
      `'${PROMPT_TEXT_TAG}'`,
  );
}
