/**
 * The web UI without its island bundle (issue 12 §4): when the bundle is missing and cannot be
 * built (Deno Deploy without a build step, a read-only disk), every UI route answers one clear
 * 503 page naming `deno task build`, the failing build is not retried on every request (at most
 * every ASSET_RETRY_INTERVAL_MS), and the API keeps working. Also: a page whose store read fails
 * server-side (KV down) answers that 5xx and is logged, instead of passing for a 404 page.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { MlflowError } from "../store/errors.ts";
import { ASSET_RETRY_INTERVAL_MS, createAssetLoader } from "../ui/assets.ts";

/** Runs `fn` with console.error collected; returns what was logged. */
async function logged(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines;
}

/** A bundle location that cannot be built: its folder is a regular file. */
async function unbuildable(): Promise<{ dir: string; output: URL; blocker: string }> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-ui-unavailable-" });
  const blocker = `${dir}/dist`;
  await Deno.writeTextFile(blocker, "not a folder");
  return { dir, output: new URL(`file://${blocker}/client.js`), blocker };
}

async function expect503(res: Response, method = "GET") {
  const text = await res.text();
  assert.equal(res.status, 503, text);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  if (method === "HEAD") assert.equal(text, "");
  else {
    assert.match(text, /The web UI is not available/);
    assert.match(text, /deno task build/);
  }
}

Deno.test("a missing, unbuildable UI bundle: one 503 page for UI routes, the API works, the build is retried only after ASSET_RETRY_INTERVAL_MS", async () => {
  const { dir, output, blocker } = await unbuildable();
  let now = 1_000_000;
  try {
    const app = createApp({
      store: createMemoryStore(),
      assets: createAssetLoader({ bundleOutput: output, now: () => now }),
    });
    const first = await logged(async () => {
      for (const path of ["/", "/experiments/0", "/runs/abc", "/models", "/static/styles.css"]) {
        await expect503(await app.request(path));
      }
      await expect503(await app.request("/", { method: "HEAD" }), "HEAD");
      const api = await app.request("/api/2.0/mlflow/experiments/search", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(api.status, 200, await api.text());
    });
    // One failed build, logged once with its cause, however many requests came.
    assert.equal(first.length, 1, first.join("\n---\n"));
    assert.match(first[0], /the web UI is unavailable .*run `deno task build`/);
    assert.match(first[0], /is missing and could not be built/);

    // The bundle appears (a build step ran); within the interval the failure still stands, and
    // nothing is tried again.
    await Deno.remove(blocker);
    await Deno.mkdir(blocker);
    await Deno.writeTextFile(`${blocker}/client.js`, "export {};\n");
    const within = await logged(async () => {
      now += ASSET_RETRY_INTERVAL_MS - 1;
      await expect503(await app.request("/"));
    });
    assert.deepEqual(within, []);
    now += 1;
    const res = await app.request("/");
    assert.equal(res.status, 200, await res.text());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with auth, an anonymous browser gets the 503 page, not a login form that cannot render", async () => {
  const { dir, output } = await unbuildable();
  try {
    const app = createApp({
      store: createMemoryStore(),
      auth: { store: createMemoryAuthStore({ pbkdf2Iterations: 1000 }), defaultPermission: "READ" },
      assets: createAssetLoader({ bundleOutput: output }),
    });
    await logged(async () => {
      await expect503(await app.request("/", { headers: { accept: "text/html" } }));
      await expect503(await app.request("/login"));
      const api = await app.request("/api/2.0/mlflow/experiments/search", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(api.status, 401);
      await api.body?.cancel();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a page whose store read fails server-side answers that 5xx and logs it, not a 404 page", async () => {
  const store = createMemoryStore();
  const down = new MlflowError("TEMPORARILY_UNAVAILABLE", "Too much contention; retry later");
  Object.defineProperty(down, "cause", { value: new Error("KV Connect: connection reset") });
  const app = createApp({
    store: {
      ...store,
      getRun: () => Promise.reject(down),
      getExperiment: () => Promise.reject(down),
    },
  });
  for (const path of ["/runs/abc", "/experiments/1", "/compare?runs=abc"]) {
    const lines = await logged(async () => {
      const res = await app.request(path);
      assert.equal(res.status, 503, path);
      await res.body?.cancel();
    });
    assert.equal(lines.length, 1, `${path}: ${lines.join("\n")}`);
    assert.match(lines[0], /TEMPORARILY_UNAVAILABLE 503 .*\n[\s\S]*caused by Error: KV Connect/);
  }
  // A missing entity is still the 404 page.
  const missing = await createApp({ store }).request("/runs/nope");
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});
