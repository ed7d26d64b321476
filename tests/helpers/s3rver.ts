/**
 * A real S3-compatible server for tests: `@20minutes/s3rver@5.0.0`, which checks SigV4
 * signatures (plain `s3rver` 3.x accepts any secret, so it would pass a broken signer). It runs
 * under Node with `--openssl-legacy-provider` (its list tokens use DES), listening on 127.0.0.1
 * only, and is installed once into `${KVFLOW_TOOLS_DIR:-$HOME/.cache/kvflow-tools}` (`.ci/run`'s
 * `install_s3rver` pre-installs it there).
 *
 * @module
 */

import { join } from "node:path";
import { ensureNodePackage, startNodeServer, toolsDir } from "./node_tool.ts";

/** A running s3rver; its credentials are s3rver's built-in account. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server (and waits for it) and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

const PACKAGE = "@20minutes/s3rver";
const VERSION = "5.0.0";
const STARTUP_TIMEOUT_MS = 20_000;

/**
 * Started from JS because the package has no CLI. Exits, removing its temp dir, when its stdin
 * closes: the test process has gone.
 */
const LAUNCHER = `
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
const [toolsDir, tempDir, dataDir, buckets] = process.argv.slice(2);
const require = createRequire(toolsDir + "/package.json");
const S3rver = require("${PACKAGE}");
const server = new S3rver({
  port: 0,
  address: "127.0.0.1",
  directory: dataDir,
  silent: true,
  configureBuckets: JSON.parse(buckets).map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write("READY " + port + "\\n");
// The test process died without stop(): clean up after it.
process.stdin.on("end", () => {
  rmSync(tempDir, { recursive: true, force: true });
  process.exit(0);
});
process.stdin.resume();
`;

/**
 * Starts s3rver with the given buckets on 127.0.0.1 and a fresh temp directory, installing the
 * package first if needed.
 *
 * @throws {Error} when the install fails, or the server is not ready within 20 s.
 *
 * @example
 * ```ts
 * const s3 = await startS3rver({ buckets: ["artifacts"] });
 * try { … } finally { await s3.stop(); }
 * ```
 */
export async function startS3rver(opts: { buckets: string[] }): Promise<S3rverHandle> {
  const tools = toolsDir();
  await ensureNodePackage(tools, PACKAGE, VERSION);
  const tempDir = await Deno.makeTempDir({ prefix: "kvflow-s3rver-" });
  const launcher = join(tempDir, "launcher.mjs");
  const dataDir = join(tempDir, "data");
  await Deno.writeTextFile(launcher, LAUNCHER);
  await Deno.mkdir(dataDir);

  const server = await startNodeServer({
    name: "s3rver",
    args: [
      "--openssl-legacy-provider",
      launcher,
      tools,
      tempDir,
      dataDir,
      JSON.stringify(opts.buckets),
    ],
    tempDir,
    ready: /READY (\d+)\n/,
    timeoutMs: STARTUP_TIMEOUT_MS,
  });
  return {
    endpoint: `http://127.0.0.1:${server.ready}`,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    stop: server.stop,
  };
}
