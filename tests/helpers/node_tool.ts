/**
 * Node-based test servers (s3rver, Azurite): installing them with npm into one shared tools
 * directory, `${KVFLOW_TOOLS_DIR:-$HOME/.cache/kvflow-tools}`, and reading their startup output.
 *
 * @module
 */

import { homedir } from "node:os";
import { join } from "node:path";

const INSTALL_TIMEOUT_MS = 300_000;
/** A lock older than this belongs to a crashed installer. */
const STALE_LOCK_MS = 300_000;

/** The shared tools directory: `$KVFLOW_TOOLS_DIR`, else `~/.cache/kvflow-tools`. */
export function toolsDir(): string {
  return Deno.env.get("KVFLOW_TOOLS_DIR") ?? join(homedir(), ".cache", "kvflow-tools");
}

/**
 * Installs `pkg@version` into `dir` once. Concurrent test processes wait on one lock directory
 * for the whole tools dir: two `npm install --prefix` runs into the same directory at once would
 * rewrite each other's `package.json` and `node_modules`.
 *
 * @throws {Error} when npm fails, or the install does not finish within 5 minutes.
 */
export async function ensureNodePackage(dir: string, pkg: string, version: string): Promise<void> {
  const manifest = join(dir, "node_modules", pkg, "package.json");
  const lock = join(dir, ".install.lock");
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  await Deno.mkdir(dir, { recursive: true });
  // The manifest appears before npm has finished the dependencies: while another process holds
  // the lock, its install is still running.
  while (!(await isInstalled(manifest, version)) || (await exists(lock))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting to install ${pkg}`);
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
      if (await isInstalled(manifest, version)) return;
      const out = await new Deno.Command("npm", {
        args: ["install", "--prefix", dir, `${pkg}@${version}`, "--no-audit", "--no-fund"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        const log = new TextDecoder().decode(out.stderr).slice(-4000);
        throw new Error(`npm install ${pkg}@${version} failed:\n${log}`);
      }
    } finally {
      await Deno.remove(lock, { recursive: true }).catch(() => {});
    }
  }
}

/** A child's output drained in the background, keeping its last 8 KiB for error messages. */
interface CollectedOutput {
  text(): string;
  /** Resolves once the stream has ended. */
  done: Promise<void>;
}

/** Drains `stream` so the child never blocks on a full pipe; see {@linkcode CollectedOutput}. */
function collectOutput(stream: ReadableStream<Uint8Array>): CollectedOutput {
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

/**
 * Reads `lines` until `ready` matches what was printed so far and returns its first group, then
 * keeps draining them in the background.
 *
 * @throws {Error} when the child exits first (with its stderr) or `timeoutMs` passes.
 */
async function readReady(
  name: string,
  lines: ReadableStreamDefaultReader<string>,
  ready: RegExp,
  stderr: CollectedOutput,
  timeoutMs: number,
): Promise<string> {
  let buffered = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${stderr.text()}`)),
      timeoutMs,
    );
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([lines.read(), timeout]);
      if (done) throw new Error(`${name} exited before it was ready:\n${stderr.text()}`);
      buffered += value;
      const m = ready.exec(buffered);
      if (m) {
        (async () => {
          while (!(await lines.read().catch(() => ({ done: true }))).done) { /* discard */ }
        })();
        return m[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A Node test server started by {@linkcode startNodeServer}. */
export interface NodeServer {
  /** The first group of the `ready` match (a port, an origin). */
  ready: string;
  /** Stops the server and removes `tempDir`; idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs `node <args>` (a launcher in `tempDir` that stops its server and exits when its stdin
 * closes) until its stdout matches `ready`. `stop()` closes stdin, kills the process if it has not
 * exited within 5 s, and removes `tempDir`, which is also done when it fails to start.
 *
 * @throws {Error} when the process exits first or is not ready within `timeoutMs`.
 */
export async function startNodeServer(opts: {
  name: string;
  args: string[];
  tempDir: string;
  ready: RegExp;
  timeoutMs: number;
}): Promise<NodeServer> {
  const child = new Deno.Command("node", {
    args: opts.args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = collectOutput(child.stderr);
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await child.stdin.close().catch(() => {});
    const kill = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
    }, 5_000);
    await child.status;
    clearTimeout(kill);
    await lines.cancel().catch(() => {});
    await stderr.done;
    await Deno.remove(opts.tempDir, { recursive: true }).catch(() => {});
  };

  try {
    const ready = await readReady(opts.name, lines, opts.ready, stderr, opts.timeoutMs);
    return { ready, stop };
  } catch (err) {
    await stop();
    throw err;
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

async function isInstalled(manifest: string, version: string): Promise<boolean> {
  try {
    return JSON.parse(await Deno.readTextFile(manifest)).version === version;
  } catch {
    return false;
  }
}
