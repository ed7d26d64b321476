/**
 * Real Chromium for UI tests, through `playwright-core` (no bundled browser download: that needs
 * the internet). {@linkcode launchBrowser} finds a system Chromium and, on a fresh Debian machine
 * where the tests run as root, installs it with apt first, so `deno task test` works there too.
 *
 * @example
 * ```ts
 * const browser = await launchBrowser();
 * try {
 *   const page = await browser.newPage();
 *   await page.goto(url);
 * } finally {
 *   await browser.close();
 * }
 * ```
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package (and common alternatives) put the binary. */
const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/** Flags verified in this environment (shared/toolchain.md, "Browser tests"). */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(cmd, {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

let installing: Promise<void> | undefined;

/**
 * The Chromium binary: `$CHROMIUM_PATH` if set, else the first of the usual paths. When none
 * exists and the process runs as root on a Debian-like system, runs `apt-get update` and
 * `apt-get install -y chromium` (once per process) and returns `/usr/bin/chromium`.
 *
 * @throws {Error} saying how to install Chromium when it is missing and cannot be installed.
 */
export async function findChromium(): Promise<string> {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  if (fromEnv) return fromEnv;
  for (const path of CANDIDATES) if (await exists(path)) return path;
  const isRoot = Deno.uid?.() === 0;
  if (!isRoot || !(await exists("/usr/bin/apt-get"))) {
    throw new Error(
      "Chromium not found: install it (`sudo apt-get install -y chromium`) or set CHROMIUM_PATH",
    );
  }
  console.error("[browser] Chromium missing: apt-get update && apt-get install -y chromium");
  installing ??= (async () => {
    await run("apt-get", ["update"]);
    await run("apt-get", ["install", "-y", "chromium"]);
  })();
  await installing;
  return "/usr/bin/chromium";
}

/** Launches headless Chromium (installing it first if needed, see {@linkcode findChromium}). */
export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: await findChromium(),
    args: [...CHROMIUM_ARGS],
  });
}
