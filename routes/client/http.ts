/**
 * The client's HTTP: credentials on every request, a timeout per attempt, and retries with
 * exponential backoff on the answers MLflow's own client retries (429 and 5xx gateway-style
 * errors) and on network failures, honouring `Retry-After`. Errors come back as
 * {@linkcode MlflowRestError}, carrying MLflow's `{error_code, message}` when the server sent one.
 *
 * @module
 */

/** The statuses MLflow's Python client retries (its `_TRANSIENT_FAILURE_RESPONSE_CODES`). */
const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
/** A `Retry-After` longer than this is not waited for: the request fails instead. */
const MAX_RETRY_AFTER_MS = 120_000;

/** How hard to try before giving up; the defaults are MLflow 3's. */
export interface RetryOptions {
  /** Retries after the first attempt (`MLFLOW_HTTP_REQUEST_MAX_RETRIES`, default 7). */
  maxRetries?: number;
  /** The first retry's delay; each later one doubles it (`MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`, default 2 s). */
  backoffFactorMs?: number;
  /** A random extra delay up to this much, so many clients do not retry in step (default 1 s). */
  backoffJitterMs?: number;
  /** One attempt's limit, headers and body (`MLFLOW_HTTP_REQUEST_TIMEOUT`, default 120 s). */
  timeoutMs?: number;
}

/** Where the server is and who is asking. */
export interface Credentials {
  /** `MLFLOW_TRACKING_USERNAME`; sent as HTTP Basic with `password`. */
  username?: string;
  /** `MLFLOW_TRACKING_PASSWORD`. */
  password?: string;
  /** `MLFLOW_TRACKING_TOKEN`; sent as a Bearer token (it wins over a username). */
  token?: string;
}

/** A request that failed: an error answer after any retries, or no answer at all. */
export class MlflowRestError extends Error {
  /** The HTTP status, or 0 when no answer arrived (network failure, timeout). */
  readonly status: number;
  /** MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, …), or `undefined` for a non-MLflow answer. */
  readonly errorCode: string | undefined;

  constructor(status: number, errorCode: string | undefined, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "MlflowRestError";
    this.status = status;
    this.errorCode = errorCode;
  }
}

/** A `fetch` for one request: the body is rebuilt for each attempt by the caller. */
export type FetchLike = (request: Request) => Promise<Response>;

/** The `Authorization` header for `creds`, if any. */
export function authorization(creds: Credentials): string | undefined {
  if (creds.token) return `Bearer ${creds.token}`;
  if (creds.username !== undefined && creds.password !== undefined) {
    const bytes = new TextEncoder().encode(`${creds.username}:${creds.password}`);
    return `Basic ${btoa(String.fromCharCode(...bytes))}`;
  }
  return undefined;
}

/** The delay before retry number `attempt` (1-based): doubling from the factor, plus jitter. */
export function backoffDelayMs(attempt: number, retry: RetryOptions): number {
  const factor = retry.backoffFactorMs ?? 2_000;
  const jitter = retry.backoffJitterMs ?? 1_000;
  return Math.min(MAX_RETRY_AFTER_MS, factor * 2 ** (attempt - 1)) + Math.random() * jitter;
}

/** `Retry-After` in ms (seconds or an HTTP date), or `undefined` when absent or unreadable. */
function retryAfterMs(res: Response): number | undefined {
  const value = res.headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the request `build` makes, again on a retryable answer or a network failure, and returns
 * the first answer that is not retried (which may be an error answer: see {@linkcode checked}).
 * `build` is called once per attempt, so a streamed body (a file) is reopened each time.
 *
 * @throws {MlflowRestError} with status 0 when the last attempt got no answer.
 * @throws whatever `build` throws (a missing file), at once.
 */
export async function sendWithRetries(
  fetchFn: FetchLike,
  build: (signal: AbortSignal) => Request | Promise<Request>,
  retry: RetryOptions,
): Promise<Response> {
  const maxRetries = retry.maxRetries ?? 7;
  const timeoutMs = retry.timeoutMs ?? 120_000;
  for (let attempt = 0;; attempt++) {
    // Building the request (opening a file) fails for local reasons: those are not retried.
    const request = await build(AbortSignal.timeout(timeoutMs));
    let res: Response;
    try {
      res = await fetchFn(request);
    } catch (err) {
      if (attempt >= maxRetries) {
        throw new MlflowRestError(0, undefined, `no answer from the tracking server: ${err}`, err);
      }
      await sleep(backoffDelayMs(attempt + 1, retry));
      continue;
    }
    if (!RETRIED_STATUSES.has(res.status) || attempt >= maxRetries) return res;
    const asked = retryAfterMs(res);
    // A server asking for more than two minutes is down for longer than a client should block.
    if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return res;
    await res.body?.cancel();
    await sleep(Math.max(asked ?? 0, backoffDelayMs(attempt + 1, retry)));
  }
}

/**
 * `res` when it is a success; otherwise an {@linkcode MlflowRestError} from its body (MLflow's
 * `{error_code, message}` when it is one, else the start of the text).
 */
export async function checked(res: Response, what: string): Promise<Response> {
  if (res.ok) return res;
  const text = await res.text().catch(() => "");
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: a proxy's page or a plain-text gate answer; its text is the message
  }
  throw restError(res.status, body, what);
}

/**
 * The error for an answer with `status` whose body was `body`: MLflow's `{error_code, message}`
 * when it is one, else the start of its text.
 */
export function restError(status: number, body: unknown, what: string): MlflowRestError {
  const err = typeof body === "object" && body !== null
    ? body as { error_code?: unknown; message?: unknown }
    : undefined;
  const code = typeof err?.error_code === "string" ? err.error_code : undefined;
  const message = typeof err?.message === "string"
    ? err.message
    : (typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body))
      .slice(0, 500);
  return new MlflowRestError(
    status,
    code,
    `${what} failed: ${status}${code ? ` ${code}` : ""}: ${message}`,
  );
}
