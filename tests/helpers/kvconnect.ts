/**
 * A KV Connect server for tests: ../shared/tools/kvconnect (denokv's own SQLite backend and
 * protocol code behind an HTTP/2 front), started per test on a free port. It speaks what
 * `Deno.openKv("http://…")` and Deno Deploy's managed KV speak, with denokv's stricter limits
 * (10 checks per atomic write), and counts round trips at `GET /_stats`.
 *
 * The tool lives outside the repository. {@linkcode kvConnectTool} finds it (`KVFLOW_KVCONNECT_DIR`,
 * else `../shared/tools/kvconnect` beside the repository); tests that need it are registered with
 * `ignore: !kvConnectTool()` so a machine without it skips them, and CI sets
 * `KVFLOW_REQUIRE_KVCONNECT=1`, which turns a missing tool into a failure instead.
 *
 * @example
 * ```ts
 * const server = await startKvConnect();
 * const kv = await server.openKv();
 * const before = await server.stats();
 * // … one API call …
 * const after = await server.stats();
 * await server.stop();
 * ```
 *
 * @module
 */
import { connect } from "node:http2";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The access token every test server uses (Deno reads `DENO_KV_ACCESS_TOKEN` process-wide). */
export const KVCONNECT_TOKEN = "kvflow-test-token-0123456789";

/** What the tool counts; compare two readings to count one call's round trips. */
export interface KvStats {
  meta: number;
  snapshot_read: number;
  atomic_write: number;
  watch: number;
  write_bytes: number;
  read_resp_bytes: number;
}

/** A running KV Connect server. */
export interface KvConnectServer {
  /** `http://127.0.0.1:PORT`: what `Deno.openKv` and `--backend-store-uri` take. */
  url: string;
  /** The environment a kvflow subprocess needs to reach it (`DENO_KV_ACCESS_TOKEN`). */
  env: Record<string, string>;
  /** Opens a KV handle on it (sets `DENO_KV_ACCESS_TOKEN` in this process). */
  openKv(): Promise<Deno.Kv>;
  /** The server's counters so far. */
  stats(): Promise<KvStats>;
  /** Stops the server (its `:memory:` database goes with it). */
  stop(): Promise<void>;
}

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The tool's directory, or undefined when it is not on this machine. */
export function kvConnectTool(): string | undefined {
  const dir = Deno.env.get("KVFLOW_KVCONNECT_DIR") ??
    join(REPO_ROOT, "..", "shared", "tools", "kvconnect");
  try {
    Deno.statSync(join(dir, "start.sh"));
    return dir;
  } catch {
    if (Deno.env.get("KVFLOW_REQUIRE_KVCONNECT") === "1") {
      throw new Error(`KV Connect tool not found at ${dir} (set KVFLOW_KVCONNECT_DIR)`);
    }
    return undefined;
  }
}

/** Whether KV Connect tests should be skipped here (`Deno.test({ ignore })`). */
export const skipKvConnect: boolean = kvConnectTool() === undefined;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

function readStats(url: string): Promise<KvStats> {
  return new Promise((resolve, reject) => {
    const client = connect(url);
    client.on("error", reject);
    const req = client.request({ ":path": "/_stats", ":method": "GET" });
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => data += chunk);
    req.on("end", () => {
      client.close();
      try {
        resolve(JSON.parse(data));
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Starts a server with an in-memory database (or `dbPath`); `delayMs` delays every KV request,
 * as a network hop would.
 */
export async function startKvConnect(
  opts: { delayMs?: number; dbPath?: string } = {},
): Promise<KvConnectServer> {
  const dir = kvConnectTool();
  if (dir === undefined) throw new Error("KV Connect tool not found");
  const port = freePort();
  const out = await new Deno.Command("bash", {
    args: [join(dir, "start.sh"), String(port), KVCONNECT_TOKEN, opts.dbPath ?? ":memory:"],
    env: opts.delayMs ? { DELAY_MS: String(opts.delayMs) } : {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`kvconnect did not start: ${new TextDecoder().decode(out.stderr)}`);
  }
  const pid = Number(new TextDecoder().decode(out.stdout).trim());
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    env: { DENO_KV_ACCESS_TOKEN: KVCONNECT_TOKEN },
    openKv() {
      Deno.env.set("DENO_KV_ACCESS_TOKEN", KVCONNECT_TOKEN);
      return Deno.openKv(url);
    },
    stats: () => readStats(url),
    async stop() {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch {
        return; // already gone
      }
      // Wait for the port to close so the next server cannot race it.
      for (let i = 0; i < 50; i++) {
        try {
          Deno.kill(pid, "SIGCONT");
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

let shared: Promise<KvConnectServer> | undefined;

/**
 * One KV Connect server for the whole test process, started on first use and stopped when the
 * process unloads: starting one costs ~0.5 s (a Node process), too much to pay per test. Tests
 * that share it start from {@linkcode clearKv} or use names of their own.
 */
export function sharedKvConnect(): Promise<KvConnectServer> {
  if (shared === undefined) {
    shared = startKvConnect();
    // `stop()` sends SIGTERM before its first await, so it still reaches the server on unload.
    shared.then(
      (s) => globalThis.addEventListener("unload", () => void s.stop()),
      () => {}, // the caller sees the failure through `shared`
    );
  }
  return shared;
}

/** Most mutations denokv takes in one atomic write is 1000; deletes go out in batches of this. */
export const CLEAR_BATCH = 500;

/** Deletes every key, so a test on a shared server starts from an empty database. */
export async function clearKv(kv: Deno.Kv): Promise<void> {
  let batch = kv.atomic();
  let n = 0;
  for await (const { key } of kv.list({ prefix: [] }, { batchSize: CLEAR_BATCH })) {
    batch.delete(key);
    if (++n === CLEAR_BATCH) {
      await batch.commit();
      batch = kv.atomic();
      n = 0;
    }
  }
  if (n > 0) await batch.commit();
}
