/**
 * A kvflow server on 127.0.0.1 in the test's own process: a KV store in memory, local artifacts
 * in a temporary directory (unless turned off), auth on when asked (one user, an admin if asked),
 * and a log of the requests it served, for tests that drive it with a real HTTP client.
 *
 * @module
 */
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { createApp } from "../../routes/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import type { TrackingStore } from "../../store/types.ts";

/** The user and password of a server started with `auth: true`. */
export const LIVE_USER = "alice";
export const LIVE_PASSWORD = "a long enough password";

/** A running server; `await using` shuts it down and removes its files. */
export interface LiveServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `METHOD /path` of every request served, in order. */
  requests: string[];
  /** The server's store, for seeding and checking behind the API's back. */
  store: TrackingStore;
}

/** What {@linkcode startLiveServer} starts. */
export interface LiveServerOptions {
  /** Auth on, with {@linkcode LIVE_USER} (default permission READ). */
  auth?: boolean;
  /** {@linkcode LIVE_USER} is an admin (with `auth`). */
  admin?: boolean;
  /** Serve artifacts from a temporary directory (default true). */
  artifacts?: boolean;
}

/** Starts a server; see {@linkcode LiveServerOptions}. */
export async function startLiveServer(opts: LiveServerOptions = {}): Promise<LiveServer> {
  const kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const artifactDir = opts.artifacts === false
    ? undefined
    : await Deno.makeTempDir({ prefix: "kvflow_live_artifacts_" });
  let auth;
  if (opts.auth) {
    const authStore = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
    await authStore.createUser(LIVE_USER, LIVE_PASSWORD, opts.admin ?? false);
    auth = { store: authStore, defaultPermission: "READ" as const };
  }
  const app = createApp({
    store,
    artifacts: artifactDir === undefined
      ? undefined
      : createLocalArtifactRepository({ rootDir: artifactDir }),
    auth,
  });
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    requests.push(`${req.method} ${new URL(req.url).pathname}`);
    return app.fetch(req);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    store,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await store.stopBackgroundWork();
      kv.close();
      if (artifactDir !== undefined) await Deno.remove(artifactDir, { recursive: true });
    },
  };
}
