/**
 * A real Azure Blob endpoint for tests: Microsoft's emulator `azurite@3.37.0`, blob service only,
 * which enforces Shared Key and SAS signatures (an unsigned or wrongly signed request gets 403).
 * It runs under Node on 127.0.0.1 with a fresh data directory, and is installed once into
 * `${KVFLOW_TOOLS_DIR:-$HOME/.cache/kvflow-tools}` (`.ci/run` pre-installs it there).
 *
 * @module
 */

import { join } from "node:path";
import { createAzureClient } from "../../artifacts/_azure_client.ts";
import { ensureNodePackage, startNodeServer, toolsDir } from "./node_tool.ts";

/** A running Azurite with the emulator's built-in account. */
export interface AzuriteHandle {
  /** The path-style blob endpoint, `http://127.0.0.1:<port>/devstoreaccount1`. */
  endpoint: string;
  account: string;
  /** The account key, base64 (Azurite's well-known development key). */
  accountKey: string;
  /** `AccountName=…;AccountKey=…;BlobEndpoint=…`, as `AZURE_STORAGE_CONNECTION_STRING`. */
  connectionString: string;
  /** Stops the emulator (and waits for it) and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

const PACKAGE = "azurite";
const VERSION = "3.37.0";
const STARTUP_TIMEOUT_MS = 30_000;
const ACCOUNT = "devstoreaccount1";
/** Azurite's documented development key: public, and accepted by the emulator only. */
const ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/**
 * Azurite's blob service, run by {@linkcode LAUNCHER} with the test's options. It exits when its
 * stdin (a pipe from the launcher) closes, so it never outlives the launcher.
 */
const BLOB_SERVICE = `
const [main, dataDir] = process.argv.slice(2);
process.argv = [process.argv[0], main, "--blobHost", "127.0.0.1", "--blobPort", "0",
  "--location", dataDir, "--silent", "--disableTelemetry"];
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
require(main);
`;

/**
 * Runs {@linkcode BLOB_SERVICE} as its child. Azurite does not notice the test process dying, so
 * the launcher watches its own stdin: when it closes (stop(), or the test process has gone), it
 * kills Azurite and only then removes the temp dir, which Azurite may otherwise still be writing
 * into (removing it from inside Azurite's own process lost that race).
 */
const LAUNCHER = `
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
const [toolsDir, tempDir, dataDir] = process.argv.slice(2);
const main = toolsDir + "/node_modules/azurite/dist/src/blob/main.js";
const blob = spawn(process.execPath, [tempDir + "/blob.cjs", main, dataDir], {
  stdio: ["pipe", "inherit", "inherit"],
});
blob.on("exit", (code) => {
  rmSync(tempDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
process.stdin.on("end", () => blob.kill("SIGKILL"));
process.stdin.resume();
`;

/**
 * Starts Azurite on 127.0.0.1 with a fresh temp directory and creates `containers` (signed
 * Create Container requests), installing the package first if needed.
 *
 * @throws {Error} when the install fails, the emulator is not ready within 30 s, or a container
 * cannot be created.
 *
 * @example
 * ```ts
 * const azurite = await startAzurite({ containers: ["artifacts"] });
 * try { … } finally { await azurite.stop(); }
 * ```
 */
export async function startAzurite(opts: { containers: string[] }): Promise<AzuriteHandle> {
  const tools = toolsDir();
  await ensureNodePackage(tools, PACKAGE, VERSION);
  const tempDir = await Deno.makeTempDir({ prefix: "kvflow-azurite-" });
  const launcher = join(tempDir, "launcher.mjs");
  const dataDir = join(tempDir, "data");
  await Deno.writeTextFile(launcher, LAUNCHER);
  await Deno.writeTextFile(join(tempDir, "blob.cjs"), BLOB_SERVICE);
  await Deno.mkdir(dataDir);

  const server = await startNodeServer({
    name: "Azurite",
    args: [launcher, tools, tempDir, dataDir],
    tempDir,
    ready: /successfully listens on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: STARTUP_TIMEOUT_MS,
  });
  try {
    const endpoint = `${server.ready}/${ACCOUNT}`;
    for (const container of opts.containers) await createContainer(endpoint, container);
    return {
      endpoint,
      account: ACCOUNT,
      accountKey: ACCOUNT_KEY,
      connectionString:
        `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
        `BlobEndpoint=${endpoint};`,
      stop: server.stop,
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** Create Container, `PUT <endpoint>/<container>?restype=container`, signed with the account key. */
async function createContainer(endpoint: string, container: string): Promise<void> {
  const client = createAzureClient({
    endpoint: new URL(endpoint),
    container,
    credential: {
      kind: "sharedKey",
      account: ACCOUNT,
      key: Uint8Array.from(atob(ACCOUNT_KEY), (c) => c.charCodeAt(0)),
    },
    retries: 0,
    fetch,
  });
  const res = await client.send("PUT", client.containerUrl({ restype: "container" }));
  const text = await res.text();
  if (res.status !== 201) {
    throw new Error(`Azurite refused to create container ${container}: ${res.status} ${text}`);
  }
}
