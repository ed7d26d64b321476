/**
 * One database that several kvflow server processes share, of either kind a deployment uses: a KV
 * file (one machine, several processes) or a remote KV over KV Connect (Deno Deploy's isolates, or
 * servers on several machines). Multi-process tests run once per kind.
 *
 * @module
 */
import { skipKvConnect, startKvConnect } from "./kvconnect.ts";

/** Which kind of shared database. */
export type SharedDatabaseKind = "file" | "kvconnect";

/** A fresh, empty database for servers to share. */
export interface SharedDatabase {
  /** What `--backend-store-uri` takes: a file path or a KV Connect URL. */
  kvPath: string;
  /** Environment the server processes need to reach it (KV Connect's access token). */
  env: Record<string, string>;
  /** Removes the file or stops the KV Connect server. */
  close(): Promise<void>;
}

/**
 * The kinds, with whether this machine can run them (`Deno.test({ ignore })`): KV Connect needs
 * the tool (tests/helpers/kvconnect.ts).
 */
export const SHARED_DATABASE_KINDS: readonly { kind: SharedDatabaseKind; ignore: boolean }[] = [
  { kind: "file", ignore: false },
  { kind: "kvconnect", ignore: skipKvConnect },
];

/** Creates a fresh database of `kind`. */
export async function openSharedDatabase(kind: SharedDatabaseKind): Promise<SharedDatabase> {
  if (kind === "kvconnect") {
    const server = await startKvConnect();
    return { kvPath: server.url, env: server.env, close: () => server.stop() };
  }
  const dir = await Deno.makeTempDir({ prefix: "kvflow-mp-" });
  return {
    kvPath: `${dir}/mlruns.kv`,
    env: {},
    close: () => Deno.remove(dir, { recursive: true }),
  };
}
