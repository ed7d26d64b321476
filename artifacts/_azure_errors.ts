/**
 * Maps Azure Blob failures to `MlflowError`s that name no account, container, endpoint, key or
 * SAS token: only Azure's error code and the caller's own artifact path appear in a message.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import { STORAGE_FULL_MESSAGE } from "./_fs_errors.ts";
import { errorCodeOf } from "./_s3_client.ts";
import { withCause } from "./_remote.ts";

/** The variables a message about missing or refused credentials names. */
export const AZURE_CREDENTIAL_VARIABLES =
  "AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCESS_KEY or AZURE_STORAGE_SAS_TOKEN";

/** Azure's codes for a request the server's credential may not make. */
const DENIED = new Set([
  "AuthenticationFailed",
  "AuthorizationFailure",
  "AuthorizationPermissionMismatch",
  "AuthorizationProtocolMismatch",
  "AuthorizationResourceTypeMismatch",
  "AuthorizationServiceMismatch",
  "AuthorizationSourceIPMismatch",
  "InsufficientAccountPermissions",
  "AccountIsDisabled",
  "KeyBasedAuthenticationNotPermitted",
]);

/** Azure's codes for a request the caller made wrong (its parts, its path). */
const INVALID = new Set([
  "InvalidBlockList",
  "InvalidBlockId",
  "InvalidBlobOrBlock",
  "InvalidResourceName",
  "InvalidUri",
  "OutOfRangeInput",
]);

/**
 * Azure's error code: the `x-ms-error-code` header (present even on HEAD answers, which have no
 * body), else the `<Error><Code>` of the body; `""` when neither says.
 */
async function azureErrorCode(res: Response): Promise<string> {
  const header = res.headers.get("x-ms-error-code");
  const text = await res.text().catch(() => "");
  return header || errorCodeOf(text);
}

/**
 * Turns a failed Azure response into an `MlflowError`: `BlobNotFound` → `RESOURCE_DOES_NOT_EXIST`,
 * `InvalidRange` and refused block lists or names → `INVALID_PARAMETER_VALUE`, refused
 * credentials (403) → `PERMISSION_DENIED` naming the variables to check, a missing container →
 * `INTERNAL_ERROR`, 5xx and 429 → `TEMPORARILY_UNAVAILABLE`.
 */
export async function azureFailure(
  res: Response,
  action: string,
  path: string,
): Promise<MlflowError> {
  const code = (await azureErrorCode(res)) || `HTTP ${res.status}`;
  const what = `${action} ${JSON.stringify(path)}`;
  const answered = `Azure answered ${res.status} ${code}`;
  if (code === "BlobNotFound") {
    return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact not found: ${what}`);
  }
  if (code === "InvalidRange") {
    return new MlflowError("INVALID_PARAMETER_VALUE", `Byte range is not satisfiable: ${what}`);
  }
  if (code === "RequestBodyTooLarge" || res.status === 413) {
    return new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `The artifact is larger than the artifact store accepts (${code}): ${what}`,
    );
  }
  if (INVALID.has(code)) {
    return new MlflowError("INVALID_PARAMETER_VALUE", `Artifact store refused ${what} (${code})`);
  }
  if (DENIED.has(code) || res.status === 403) {
    // The server's own credential is wrong or lacks rights: a configuration problem. Not a 5xx,
    // which MLflow's client retries for minutes; a 403 fails at once with this message.
    return withCause(
      new MlflowError(
        "PERMISSION_DENIED",
        `Artifact store denied ${what} (${code}); check the server's Azure credentials ` +
          `(${AZURE_CREDENTIAL_VARIABLES}) and their permissions`,
      ),
      answered,
    );
  }
  if (code === "ContainerNotFound") {
    return withCause(
      new MlflowError("INTERNAL_ERROR", `Artifact store container does not exist (${what})`),
      answered,
    );
  }
  if (code === "InsufficientAccountStorage" || res.status === 507) {
    return withCause(new MlflowError("INSUFFICIENT_STORAGE", STORAGE_FULL_MESSAGE), answered);
  }
  if (res.status >= 500 || res.status === 429) {
    return withCause(
      new MlflowError("TEMPORARILY_UNAVAILABLE", `Artifact store unavailable: ${what} (${code})`),
      answered,
    );
  }
  return withCause(
    new MlflowError("INTERNAL_ERROR", `Artifact store failed: ${what} (${code})`),
    answered,
  );
}

/**
 * A network-level failure. Its cause names the URL, which may carry a SAS signature: the cause
 * kept for the server log has every `sig=` value blanked.
 */
export function azureUnavailable(detail: string, cause: unknown): MlflowError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const redacted = new Error(message.replace(/([?&]sig=)[^&\s)"']*/gi, "$1REDACTED"));
  redacted.name = cause instanceof Error ? cause.name : "Error";
  return withCause(
    new MlflowError("TEMPORARILY_UNAVAILABLE", `Artifact store ${detail}`),
    redacted,
  );
}
