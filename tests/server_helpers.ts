/**
 * Starts the real kvflow server (`main.ts`) as a subprocess, for black-box tests and benchmarks
 * that need real HTTP, real KV files and more than one process; and runs its one-shot commands
 * (`import`, `export`, `gc`) to their end.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root; subprocesses run here so `deno.json` (imports, `unstable: ["kv"]`) applies. */
export const REPO_ROOT: string = fileURLToPath(new URL("..", import.meta.url));
/** Absolute path of `main.ts`. */
export const MAIN_TS: string = fileURLToPath(new URL("../main.ts", import.meta.url));

/** Options of {@linkcode startServer}. */
export interface StartServerOptions {
  /**
   * KV file or KV Connect URL to use; default `:memory:` (a fresh database private to this
   * process); `null` passes no `--backend-store-uri` at all, so the server opens `Deno.openKv()`
   * as on Deno Deploy (the environment decides).
   */
  kvPath?: string | null;
  /** `deno run` permission flags; default `["-A"]`. */
  permissions?: string[];
  /** Port to bind on 127.0.0.1; default 0 (a free port, read back from the startup line). */
  port?: number;
  /** Extra environment variables for the server process. */
  env?: Record<string, string>;
  /** Extra `main.ts` flags. */
  args?: string[];
  /** How long to wait for the listening line; default 20 s (a cold npm cache can be slow). */
  timeoutMs?: number;
}

/** A running server; `stop()` (or `await using`) ends it and waits for the process. */
export interface RunningServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:40123`, without a trailing slash. */
  url: string;
  process: Deno.ChildProcess;
  /** Everything the server wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process and its pipes are closed. */
  stop(): Promise<Deno.CommandStatus>;
}

const LISTENING = /kvflow listening on (http:\/\/\S+)/;

/**
 * Spawns `deno run -A main.ts --host 127.0.0.1 --port 0 --backend-store-uri <kvPath>` (or the
 * given permissions, and no store flag for `kvPath: null`) and
 * resolves once the server prints its listening line. On timeout or early exit the process is
 * killed and the error carries its output.
 *
 * @example
 * ```ts
 * await using server = await startServer({ kvPath: `${dir}/mlruns.kv` });
 * const res = await fetch(`${server.url}/api/2.0/mlflow/experiments/search`, { method: "POST", ... });
 * ```
 */
export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(opts.permissions ?? ["-A"]),
      MAIN_TS,
      "--host",
      "127.0.0.1",
      "--port",
      String(opts.port ?? 0),
      ...(opts.kvPath === null ? [] : ["--backend-store-uri", opts.kvPath ?? ":memory:"]),
      ...(opts.args ?? []),
    ],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  // Both pipes are drained for the whole life of the process: a full pipe would block the server.
  // Output is kept (bounded) only to explain failures.
  let output = "";
  const append = (text: string) => {
    output = (output + text).slice(-64_000);
  };
  let onUrl: (url: string) => void = () => {};
  const urlSeen = new Promise<string>((resolve) => onUrl = resolve);
  const drains = Promise.all([
    drain(process.stdout, (text) => {
      append(text);
      const m = LISTENING.exec(output);
      if (m) onUrl(m[1]);
    }),
    drain(process.stderr, append),
  ]);

  let stopped: Promise<Deno.CommandStatus> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        process.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      const timer = setTimeout(() => {
        try {
          process.kill("SIGKILL");
        } catch {
          // Exited in the meantime.
        }
      }, 5_000);
      try {
        const status = await process.status;
        await drains;
        return status;
      } finally {
        clearTimeout(timer);
      }
    })();

  const timeoutMs = opts.timeoutMs ?? 20_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failure = await Promise.race([
    urlSeen.then((url) => ({ url })),
    process.status.then((s) => ({ error: `exited with code ${s.code} before listening` })),
    new Promise<{ error: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ error: `did not listen within ${timeoutMs} ms` }),
        timeoutMs,
      );
    }),
  ]);
  clearTimeout(timer);
  if ("error" in failure) {
    await stop();
    throw new Error(`kvflow server ${failure.error}; output:\n${output}`);
  }
  const url = failure.url;
  return {
    url,
    process,
    output: () => output,
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}

async function drain(stream: ReadableStream<Uint8Array>, sink: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
}

/** A hung server fails the test instead of hanging CI. */
const REQUEST_TIMEOUT_MS = 15_000;

/** POSTs JSON to an MLflow REST path and returns the status and parsed body. */
export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, body: parseBody(await res.text()) };
}

/** GETs an MLflow REST path with query parameters and returns the status and parsed body. */
export async function getJson(
  baseUrl: string,
  path: string,
  query: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}?${new URLSearchParams(query)}`, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, body: parseBody(await res.text()) };
}

/** Non-JSON bodies (a proxy's or middleware's plain-text error) stay readable in assertions. */
function parseBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}
