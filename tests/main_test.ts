import { deepStrictEqual, match, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, DEFAULT_KV_PATH, DEFAULT_PORT, parseConfig } from "../main.ts";
import { MAIN_TS, REPO_ROOT } from "./server_helpers.ts";

/** Asserts `fn` throws a ConfigError whose message matches `pattern`. */
function throwsConfigError(fn: () => unknown, pattern: RegExp) {
  throws(fn, (err) => {
    ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    match(err.message, pattern);
    return true;
  });
}

Deno.test("parseConfig() uses MLflow-like defaults with no flags or env", () => {
  deepStrictEqual(parseConfig([], {}), {
    host: "127.0.0.1",
    port: DEFAULT_PORT,
    kvPath: DEFAULT_KV_PATH,
    allowedHosts: undefined,
    help: false,
  });
});

Deno.test("parseConfig() reads every option from flags", () => {
  const cfg = parseConfig([
    "--host",
    "0.0.0.0",
    "--port=5001",
    "--backend-store-uri",
    "/tmp/x.kv",
    "--allowed-hosts",
    "a.example, b.example:8080,",
  ], {});
  deepStrictEqual(cfg, {
    host: "0.0.0.0",
    port: 5001,
    kvPath: "/tmp/x.kv",
    allowedHosts: ["a.example", "b.example:8080"],
    help: false,
  });
});

Deno.test("parseConfig() reads every option from env", () => {
  const cfg = parseConfig([], {
    KVFLOW_HOST: "::1",
    KVFLOW_PORT: "6000",
    MLFLOW_BACKEND_STORE_URI: ":memory:",
    KVFLOW_ALLOWED_HOSTS: "kvflow.internal",
  });
  deepStrictEqual(cfg, {
    host: "::1",
    port: 6000,
    kvPath: ":memory:",
    allowedHosts: ["kvflow.internal"],
    help: false,
  });
});

Deno.test("parseConfig() prefers flag over KVFLOW_PORT over PORT", async (t) => {
  await t.step("flag wins", () => {
    strictEqual(parseConfig(["--port", "1"], { KVFLOW_PORT: "2", PORT: "3" }).port, 1);
  });
  await t.step("KVFLOW_PORT beats PORT", () => {
    strictEqual(parseConfig([], { KVFLOW_PORT: "2", PORT: "3" }).port, 2);
  });
  await t.step("PORT alone is honoured", () => {
    strictEqual(parseConfig([], { PORT: "3" }).port, 3);
  });
  await t.step("an empty variable counts as unset", () => {
    strictEqual(parseConfig([], { KVFLOW_PORT: "", PORT: "3" }).port, 3);
  });
  await t.step("--port 0 asks for a free port", () => {
    strictEqual(parseConfig(["--port", "0"], {}).port, 0);
  });
});

Deno.test("parseConfig() rejects bad ports", () => {
  for (const bad of ["-1", "65536", "50a", "1.5", "http"]) {
    const pattern = new RegExp(`Invalid port "${RegExp.escape(bad)}"`);
    throwsConfigError(() => parseConfig([`--port=${bad}`], {}), pattern);
    throwsConfigError(() => parseConfig([], { PORT: bad }), pattern);
  }
});

Deno.test("parseConfig() rejects unknown flags, positionals and missing values", () => {
  throwsConfigError(() => parseConfig(["--prot", "5000"], {}), /--prot/);
  throwsConfigError(() => parseConfig(["serve"], {}), /serve/);
  throwsConfigError(() => parseConfig(["--port"], {}), /--port/);
  // Artifacts get their own flag later; until then it is an unknown flag, not silently ignored.
  throwsConfigError(
    () => parseConfig(["--default-artifact-root", "x"], {}),
    /--default-artifact-root/,
  );
});

Deno.test("parseConfig() maps backend store URIs onto Deno.openKv arguments", async (t) => {
  const kvPathOf = (uri: string) => parseConfig(["--backend-store-uri", uri], {}).kvPath;
  await t.step("paths pass through", () => {
    strictEqual(kvPathOf("./data/runs.kv"), "./data/runs.kv");
    strictEqual(kvPathOf("C:\\data\\runs.kv"), "C:\\data\\runs.kv");
  });
  await t.step(":memory: passes through", () => strictEqual(kvPathOf(":memory:"), ":memory:"));
  await t.step("KV Connect URLs pass through", () => {
    const url = "https://api.deno.com/databases/0000/connect";
    strictEqual(kvPathOf(url), url);
    strictEqual(kvPathOf("http://127.0.0.1:4512"), "http://127.0.0.1:4512");
  });
  await t.step("file: URLs become paths", () => {
    if (Deno.build.os !== "windows") {
      strictEqual(kvPathOf("file:///srv/my%20runs.kv"), "/srv/my runs.kv");
    }
  });
  await t.step("other MLflow schemes are refused", () => {
    throwsConfigError(() => kvPathOf("sqlite:///mlflow.db"), /Unsupported backend store URI/);
    throwsConfigError(() => kvPathOf("postgresql://u@h/db"), /Unsupported backend store URI/);
  });
});

Deno.test("parseConfig() defaults to the platform database and any host on Deno Deploy", () => {
  const cfg = parseConfig([], { DENO_DEPLOYMENT_ID: "abc" });
  strictEqual(cfg.kvPath, undefined);
  deepStrictEqual(cfg.allowedHosts, ["*"]);
  deepStrictEqual(
    parseConfig([], { DENO_DEPLOYMENT_ID: "abc", KVFLOW_ALLOWED_HOSTS: "x.example" }).allowedHosts,
    ["x.example"],
  );
  // An explicit store still wins there.
  strictEqual(
    parseConfig([], { DENO_DEPLOYMENT_ID: "abc", MLFLOW_BACKEND_STORE_URI: ":memory:" }).kvPath,
    ":memory:",
  );
});

Deno.test("parseConfig() recognises --help and -h", () => {
  strictEqual(parseConfig(["--help"], {}).help, true);
  strictEqual(parseConfig(["-h"], {}).help, true);
});

Deno.test("main.ts exits 2 with a clear message on a bad flag", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_TS, "--prot", "5000"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  strictEqual(out.code, 2);
  const stderr = new TextDecoder().decode(out.stderr);
  strictEqual(stderr.includes("--prot"), true, stderr);
  strictEqual(stderr.includes("--help"), true, stderr);
});

Deno.test("main.ts --help prints usage and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_TS, "--help"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  strictEqual(out.code, 0);
  const stdout = new TextDecoder().decode(out.stdout);
  for (const flag of ["--host", "--port", "--backend-store-uri", "--allowed-hosts"]) {
    strictEqual(stdout.includes(flag), true, `usage mentions ${flag}`);
  }
});
