/**
 * A real S3-compatible server for tests: `@20minutes/s3rver@5.0.0`, which checks SigV4
 * signatures (plain `s3rver` 3.x accepts any secret, so it would pass a broken signer). It runs
 * under Node with `--openssl-legacy-provider` (its list tokens use DES), listening on 127.0.0.1
 * only, and is installed once into `${KVFLOW_TOOLS_DIR:-$HOME/.cache/kvflow-tools}` (`.ci/run`'s
 * `install_s3rver` pre-installs it there).
 *
 * @module
 */

import { homedir } from "node:os";
import { join } from "node:path";

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
const INSTALL_TIMEOUT_MS = 180_000;
/** A lock older than this belongs to a crashed installer. */
const STALE_LOCK_MS = 300_000;

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
  const toolsDir = Deno.env.get("KVFLOW_TOOLS_DIR") ?? join(homedir(), ".cache", "kvflow-tools");
  await ensureInstalled(toolsDir);
  const tempDir = await Deno.makeTempDir({ prefix: "kvflow-s3rver-" });
  const launcher = join(tempDir, "launcher.mjs");
  const dataDir = join(tempDir, "data");
  await Deno.writeTextFile(launcher, LAUNCHER);
  await Deno.mkdir(dataDir);

  const child = new Deno.Command("node", {
    args: [
      "--openssl-legacy-provider",
      launcher,
      toolsDir,
      tempDir,
      dataDir,
      JSON.stringify(opts.buckets),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = collect(child.stderr);
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.stdin.close().catch(() => {});
    await lines.cancel().catch(() => {});
    await child.status;
    await stderr.done;
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  };

  try {
    const port = await readPort(lines, stderr);
    return {
      endpoint: `http://127.0.0.1:${port}`,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function readPort(
  lines: ReadableStreamDefaultReader<string>,
  stderr: { text(): string },
): Promise<number> {
  let buffered = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`s3rver did not start within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([lines.read(), timeout]);
      if (done) throw new Error(`s3rver exited before it was ready:\n${stderr.text()}`);
      buffered += value;
      const m = /READY (\d+)\n/.exec(buffered);
      if (m) {
        // Keep draining stdout so the child never blocks on a full pipe.
        (async () => {
          while (!(await lines.read().catch(() => ({ done: true }))).done) { /* discard */ }
        })();
        return Number(m[1]);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Drains a stream, keeping its last 8 KiB for error messages. */
function collect(stream: ReadableStream<Uint8Array>): { text(): string; done: Promise<void> } {
  let tail = "";
  const done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        tail = (tail + chunk).slice(-8192);
      },
    }),
  ).catch(() => {});
  return { text: () => tail, done };
}

/** Installs the package into `toolsDir` once; concurrent test processes wait on a lock dir. */
async function ensureInstalled(toolsDir: string): Promise<void> {
  const manifest = join(toolsDir, "node_modules", PACKAGE, "package.json");
  const lock = join(toolsDir, ".s3rver-install.lock");
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  await Deno.mkdir(toolsDir, { recursive: true });
  // The manifest appears before npm has finished the dependencies: while another process holds
  // the lock, its install is still running.
  while (!(await isInstalled(manifest)) || (await exists(lock))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting to install ${PACKAGE}`);
    try {
      await Deno.mkdir(lock); // atomic: exactly one process wins
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      const age = Date.now() - ((await Deno.stat(lock).catch(() => null))?.mtime?.getTime() ?? 0);
      if (age > STALE_LOCK_MS) await Deno.remove(lock, { recursive: true }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (await isInstalled(manifest)) return;
      const out = await new Deno.Command("npm", {
        args: ["install", "--prefix", toolsDir, `${PACKAGE}@${VERSION}`, "--no-audit", "--no-fund"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        const log = new TextDecoder().decode(out.stderr).slice(-4000);
        throw new Error(`npm install ${PACKAGE}@${VERSION} failed:\n${log}`);
      }
    } finally {
      await Deno.remove(lock, { recursive: true }).catch(() => {});
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isInstalled(manifest: string): Promise<boolean> {
  try {
    const { version } = JSON.parse(await Deno.readTextFile(manifest));
    return version === VERSION;
  } catch {
    return false;
  }
}
