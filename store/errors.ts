/**
 * MLflow error codes that kvflow raises, plus one of its own: `INSUFFICIENT_STORAGE` (507) for a
 * full disk or database, which no retry within a client's patience would fix. The HTTP status for each lives in `routes/errors.ts`;
 * the store only names what went wrong.
 */
export type ErrorCode =
  | "INVALID_PARAMETER_VALUE"
  | "BAD_REQUEST"
  | "RESOURCE_ALREADY_EXISTS"
  | "RESOURCE_DOES_NOT_EXIST"
  | "PERMISSION_DENIED"
  | "ENDPOINT_NOT_FOUND"
  | "INVALID_STATE"
  | "NOT_IMPLEMENTED"
  | "TEMPORARILY_UNAVAILABLE"
  | "RESOURCE_EXHAUSTED"
  | "DEADLINE_EXCEEDED"
  | "INSUFFICIENT_STORAGE"
  | "INTERNAL_ERROR";

/**
 * An error with an MLflow error code, thrown wherever it happens and rendered once by the HTTP
 * layer as `{error_code, message}`.
 *
 * @example
 * ```ts
 * throw new MlflowError("RESOURCE_DOES_NOT_EXIST", "Run with id=abc not found");
 * ```
 */
export class MlflowError extends Error {
  /** The MLflow error code, e.g. `RESOURCE_DOES_NOT_EXIST`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "MlflowError";
    this.code = code;
  }
}

/** Shorthand for the most common error: a caller's bad argument. */
export function invalidParam(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}
