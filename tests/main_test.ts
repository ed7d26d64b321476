import { deepStrictEqual, match, ok, strictEqual, throws } from "node:assert/strict";
import {
  ConfigError,
  DEFAULT_ARTIFACT_ROOT,
  DEFAULT_ARTIFACTS_DESTINATION,
  DEFAULT_KV_PATH,
  DEFAULT_PORT,
  parseConfig,
  startupWarnings,
} from "../main.ts";
import { createKvAuthStore } from "../store/auth/kv/mod.ts";
import { MAIN_TS, postJson, REPO_ROOT, startServer } from "./server_helpers.ts";

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
    artifactsDestination: DEFAULT_ARTIFACTS_DESTINATION,
    defaultArtifactRoot: DEFAULT_ARTIFACT_ROOT,
    serveArtifacts: true,
    artifactsOnly: false,
    bodyIdleTimeoutMs: 60_000,
    bodyTimeoutMs: 300_000,
    auth: false,
    defaultPermission: "READ",
    admin: undefined,
    authCacheTtlMs: 2_000,
    exposePrometheus: false,
    logFormat: "text",
    help: false,
  });
  strictEqual(DEFAULT_ARTIFACTS_DESTINATION, "./mlartifacts");
  strictEqual(DEFAULT_ARTIFACT_ROOT, "mlflow-artifacts:/");
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
    "--artifacts-destination",
    "s3://bucket/prefix",
    "--default-artifact-root=mlflow-artifacts:/team",
    "--serve-artifacts",
    "--artifacts-only",
    "--body-idle-timeout",
    "2.5",
    "--body-timeout=10",
    "--auth",
    "--default-permission",
    "EDIT",
    "--auth-cache-ttl",
    "0",
    "--expose-prometheus",
    "--log-format",
    "json",
  ], {});
  deepStrictEqual(cfg, {
    host: "0.0.0.0",
    port: 5001,
    kvPath: "/tmp/x.kv",
    allowedHosts: ["a.example", "b.example:8080"],
    artifactsDestination: "s3://bucket/prefix",
    defaultArtifactRoot: "mlflow-artifacts:/team",
    serveArtifacts: true,
    artifactsOnly: true,
    bodyIdleTimeoutMs: 2500,
    bodyTimeoutMs: 10_000,
    auth: true,
    defaultPermission: "EDIT",
    admin: undefined,
    authCacheTtlMs: 0,
    exposePrometheus: true,
    logFormat: "json",
    help: false,
  });
});

Deno.test("parseConfig() reads every option from env", () => {
  const cfg = parseConfig([], {
    KVFLOW_HOST: "::1",
    KVFLOW_PORT: "6000",
    MLFLOW_BACKEND_STORE_URI: ":memory:",
    KVFLOW_ALLOWED_HOSTS: "kvflow.internal",
    MLFLOW_ARTIFACTS_DESTINATION: "/srv/artifacts",
    MLFLOW_DEFAULT_ARTIFACT_ROOT: "mlflow-artifacts:/shared",
    MLFLOW_SERVE_ARTIFACTS: "false",
    MLFLOW_ARTIFACTS_ONLY: "",
    KVFLOW_BODY_IDLE_TIMEOUT: "30",
    KVFLOW_BODY_TIMEOUT: "0.5",
    KVFLOW_AUTH: "true",
    KVFLOW_DEFAULT_PERMISSION: "NO_PERMISSIONS",
    KVFLOW_ADMIN_USERNAME: "root",
    KVFLOW_ADMIN_PASSWORD: " a password with spaces ",
    KVFLOW_AUTH_CACHE_TTL: "0.5",
    KVFLOW_EXPOSE_PROMETHEUS: "true",
    KVFLOW_LOG_FORMAT: "json",
  });
  deepStrictEqual(cfg, {
    host: "::1",
    port: 6000,
    kvPath: ":memory:",
    allowedHosts: ["kvflow.internal"],
    artifactsDestination: "/srv/artifacts",
    defaultArtifactRoot: "mlflow-artifacts:/shared",
    serveArtifacts: false,
    artifactsOnly: false,
    bodyIdleTimeoutMs: 30_000,
    bodyTimeoutMs: 500,
    auth: true,
    defaultPermission: "NO_PERMISSIONS",
    admin: { username: "root", password: " a password with spaces " },
    authCacheTtlMs: 500,
    exposePrometheus: true,
    logFormat: "json",
    help: false,
  });
});

Deno.test("parseConfig() takes MLflow's --expose-prometheus with or without its directory", () => {
  const on = (args: string[]) => parseConfig(args, {}).exposePrometheus;
  strictEqual(on(["--expose-prometheus"]), true);
  strictEqual(on(["--expose-prometheus", "/tmp/prom"]), true);
  strictEqual(on(["--expose-prometheus=/tmp/prom"]), true);
  // A flag after it is the next flag, not its directory.
  const cfg = parseConfig(["--expose-prometheus", "--port", "7"], {});
  deepStrictEqual([cfg.exposePrometheus, cfg.port], [true, 7]);
  strictEqual(on(["--no-expose-prometheus"]), false);
  strictEqual(parseConfig([], { KVFLOW_EXPOSE_PROMETHEUS: "false" }).exposePrometheus, false);
  strictEqual(
    parseConfig(["--no-expose-prometheus"], { KVFLOW_EXPOSE_PROMETHEUS: "true" }).exposePrometheus,
    false,
  );
  throwsConfigError(
    () => parseConfig([], { KVFLOW_EXPOSE_PROMETHEUS: "maybe" }),
    /KVFLOW_EXPOSE_PROMETHEUS/,
  );
  // Only the flag's own value is dropped: another stray word is still refused.
  throwsConfigError(() => parseConfig(["--expose-prometheus", "a", "b"], {}), /b/);
});

Deno.test("parseConfig() takes --log-format text or json", () => {
  strictEqual(
    parseConfig(["--log-format", "json"], { KVFLOW_LOG_FORMAT: "text" }).logFormat,
    "json",
  );
  strictEqual(parseConfig([], { KVFLOW_LOG_FORMAT: "json" }).logFormat, "json");
  throwsConfigError(() => parseConfig(["--log-format", "xml"], {}), /Invalid --log-format "xml"/);
});

Deno.test("parseConfig() rejects body timeouts that are not positive seconds", () => {
  for (const flag of ["--body-idle-timeout", "--body-timeout"]) {
    for (const bad of ["0", "-1", "abc", "1e3", "90000"]) {
      throwsConfigError(() => parseConfig([`${flag}=${bad}`], {}), new RegExp(`Invalid ${flag}`));
    }
  }
  strictEqual(
    parseConfig(["--body-idle-timeout", "1"], { KVFLOW_BODY_IDLE_TIMEOUT: "9" }).bodyIdleTimeoutMs,
    1000,
  );
});

Deno.test("parseConfig() takes an auth cache TTL from 0 to 60 seconds", () => {
  for (const bad of ["-1", "abc", "1e3", "61", "60.5"]) {
    throwsConfigError(
      () => parseConfig([`--auth-cache-ttl=${bad}`], {}),
      /Invalid --auth-cache-ttl/,
    );
  }
  strictEqual(parseConfig(["--auth-cache-ttl", "60"], {}).authCacheTtlMs, 60_000);
  strictEqual(
    parseConfig(["--auth-cache-ttl", "1"], { KVFLOW_AUTH_CACHE_TTL: "9" }).authCacheTtlMs,
    1000,
  );
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
  throwsConfigError(() => parseConfig(["--artifacts-destination"], {}), /--artifacts-destination/);
  throwsConfigError(() => parseConfig(["--serve-artifacts=yes"], {}), /--serve-artifacts/);
});

Deno.test("parseConfig() reads the artifact switches", async (t) => {
  const serve = (args: string[], env = {}) => parseConfig(args, env).serveArtifacts;
  await t.step("--no-serve-artifacts turns the proxy off", () => {
    strictEqual(serve(["--no-serve-artifacts"]), false);
  });
  await t.step("the last of --serve-artifacts / --no-serve-artifacts wins", () => {
    strictEqual(serve(["--no-serve-artifacts", "--serve-artifacts"]), true);
    strictEqual(serve(["--serve-artifacts", "--no-serve-artifacts"]), false);
  });
  await t.step("a flag beats MLFLOW_SERVE_ARTIFACTS", () => {
    strictEqual(serve(["--serve-artifacts"], { MLFLOW_SERVE_ARTIFACTS: "false" }), true);
  });
  await t.step("boolean variables accept true/false, 1/0, yes/no in any case", () => {
    for (const [text, want] of [["TRUE", true], ["0", false], ["No", false], ["yes", true]]) {
      strictEqual(serve([], { MLFLOW_SERVE_ARTIFACTS: text }), want, String(text));
    }
    strictEqual(parseConfig([], { MLFLOW_ARTIFACTS_ONLY: "1" }).artifactsOnly, true);
  });
  await t.step("other boolean values are refused", () => {
    throwsConfigError(
      () => parseConfig([], { MLFLOW_SERVE_ARTIFACTS: "maybe" }),
      /Invalid MLFLOW_SERVE_ARTIFACTS "maybe"/,
    );
    throwsConfigError(
      () => parseConfig([], { MLFLOW_ARTIFACTS_ONLY: "on?" }),
      /Invalid MLFLOW_ARTIFACTS_ONLY/,
    );
  });
  await t.step("--artifacts-only needs the proxy", () => {
    throwsConfigError(
      () => parseConfig(["--artifacts-only", "--no-serve-artifacts"], {}),
      /--artifacts-only cannot be combined with --no-serve-artifacts/,
    );
    throwsConfigError(
      () => parseConfig([], { MLFLOW_ARTIFACTS_ONLY: "true", MLFLOW_SERVE_ARTIFACTS: "false" }),
      /--artifacts-only/,
    );
  });
  await t.step("a flag beats the variable for destination and default root", () => {
    const cfg = parseConfig(
      ["--artifacts-destination", "./a", "--default-artifact-root", "mlflow-artifacts:/x"],
      { MLFLOW_ARTIFACTS_DESTINATION: "./b", MLFLOW_DEFAULT_ARTIFACT_ROOT: "mlflow-artifacts:/y" },
    );
    strictEqual(cfg.artifactsDestination, "./a");
    strictEqual(cfg.defaultArtifactRoot, "mlflow-artifacts:/x");
  });
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

Deno.test("parseConfig() with DENO_KV_DEFAULT_PATH and no store opens Deno.openKv()'s default", () => {
  const env = { DENO_KV_DEFAULT_PATH: "http://127.0.0.1:4512" };
  strictEqual(parseConfig([], env).kvPath, undefined);
  // Only the store moves: not the allowed hosts, not auth.
  strictEqual(parseConfig([], env).allowedHosts, undefined);
  strictEqual(parseConfig([], env).auth, false);
  // An explicit store still wins.
  strictEqual(parseConfig(["--backend-store-uri", "./x.kv"], env).kvPath, "./x.kv");
  strictEqual(parseConfig([], { ...env, MLFLOW_BACKEND_STORE_URI: ":memory:" }).kvPath, ":memory:");
});

Deno.test("parseConfig() defaults to the platform database and any host on Deno Deploy", () => {
  // Deploy requires the admin variables (tested below); they are set here to get past that.
  const deploy = {
    DENO_DEPLOYMENT_ID: "abc",
    KVFLOW_ADMIN_USERNAME: "admin",
    KVFLOW_ADMIN_PASSWORD: "correct horse battery",
    MLFLOW_ARTIFACTS_DESTINATION: "s3://bucket/mlflow",
  };
  const cfg = parseConfig([], deploy);
  strictEqual(cfg.kvPath, undefined);
  deepStrictEqual(cfg.allowedHosts, ["*"]);
  deepStrictEqual(
    parseConfig([], { ...deploy, KVFLOW_ALLOWED_HOSTS: "x.example" }).allowedHosts,
    ["x.example"],
  );
  // An explicit store still wins there.
  strictEqual(
    parseConfig([], { ...deploy, MLFLOW_BACKEND_STORE_URI: ":memory:" }).kvPath,
    ":memory:",
  );
});

Deno.test("parseConfig() turns auth on with --auth, --app-name basic-auth or KVFLOW_AUTH", async (t) => {
  await t.step("off by default", () => strictEqual(parseConfig([], {}).auth, false));
  await t.step("--auth", () => strictEqual(parseConfig(["--auth"], {}).auth, true));
  await t.step("MLflow's --app-name basic-auth", () => {
    strictEqual(parseConfig(["--app-name", "basic-auth"], {}).auth, true);
    strictEqual(parseConfig(["--app-name=basic-auth"], { KVFLOW_AUTH: "false" }).auth, true);
  });
  await t.step("KVFLOW_AUTH", () => {
    strictEqual(parseConfig([], { KVFLOW_AUTH: "true" }).auth, true);
    strictEqual(parseConfig([], { KVFLOW_AUTH: "1" }).auth, true);
    strictEqual(parseConfig([], { KVFLOW_AUTH: "false" }).auth, false);
    strictEqual(parseConfig([], { KVFLOW_AUTH: "" }).auth, false);
  });
  await t.step("the flag wins over the variable; the last of --auth/--no-auth wins", () => {
    strictEqual(parseConfig(["--no-auth"], { KVFLOW_AUTH: "true" }).auth, false);
    strictEqual(parseConfig(["--auth"], { KVFLOW_AUTH: "false" }).auth, true);
    strictEqual(parseConfig(["--auth", "--no-auth"], {}).auth, false);
  });
  await t.step("other app names and bad values are refused", () => {
    throwsConfigError(
      () => parseConfig(["--app-name", "oidc-auth"], {}),
      /Unsupported --app-name "oidc-auth"/,
    );
    throwsConfigError(() => parseConfig(["--app-name", ""], {}), /Unsupported --app-name/);
    throwsConfigError(
      () => parseConfig(["--app-name", "basic-auth", "--no-auth"], {}),
      /cannot be combined with --no-auth/,
    );
    throwsConfigError(
      () => parseConfig([], { KVFLOW_AUTH: "maybe" }),
      /Invalid KVFLOW_AUTH "maybe"/,
    );
  });
});

Deno.test("parseConfig() reads --default-permission and KVFLOW_DEFAULT_PERMISSION", () => {
  strictEqual(parseConfig([], {}).defaultPermission, "READ");
  for (const level of ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"]) {
    strictEqual(parseConfig(["--default-permission", level], {}).defaultPermission, level);
    strictEqual(parseConfig([], { KVFLOW_DEFAULT_PERMISSION: level }).defaultPermission, level);
  }
  strictEqual(parseConfig(["--default-permission=edit"], {}).defaultPermission, "EDIT");
  strictEqual(
    parseConfig(["--default-permission", "MANAGE"], { KVFLOW_DEFAULT_PERMISSION: "EDIT" })
      .defaultPermission,
    "MANAGE",
  );
  throwsConfigError(
    () => parseConfig(["--default-permission", "WRITE"], {}),
    /Invalid --default-permission "WRITE": expected one of READ, EDIT, MANAGE, NO_PERMISSIONS/,
  );
  throwsConfigError(
    () => parseConfig([], { KVFLOW_DEFAULT_PERMISSION: "ALL" }),
    /Invalid --default-permission "ALL"/,
  );
});

Deno.test("parseConfig() takes the admin account from both variables or neither", () => {
  strictEqual(parseConfig(["--auth"], {}).admin, undefined);
  deepStrictEqual(
    parseConfig(["--auth"], {
      KVFLOW_ADMIN_USERNAME: " admin ",
      KVFLOW_ADMIN_PASSWORD: "correct horse battery",
    }).admin,
    { username: "admin", password: "correct horse battery" },
  );
  throwsConfigError(
    () => parseConfig(["--auth"], { KVFLOW_ADMIN_USERNAME: "admin" }),
    /KVFLOW_ADMIN_USERNAME is set but KVFLOW_ADMIN_PASSWORD is not/,
  );
  throwsConfigError(
    () => parseConfig([], { KVFLOW_ADMIN_USERNAME: "admin", KVFLOW_ADMIN_PASSWORD: "" }),
    /KVFLOW_ADMIN_USERNAME is set but KVFLOW_ADMIN_PASSWORD is not/,
  );
  throwsConfigError(
    () => parseConfig(["--auth"], { KVFLOW_ADMIN_PASSWORD: "correct horse battery" }),
    /KVFLOW_ADMIN_PASSWORD is set but KVFLOW_ADMIN_USERNAME is not/,
  );
});

Deno.test("parseConfig() forces auth on on Deno Deploy and requires the admin variables", async (t) => {
  const admin = {
    KVFLOW_ADMIN_USERNAME: "admin",
    KVFLOW_ADMIN_PASSWORD: "correct horse battery",
    MLFLOW_SERVE_ARTIFACTS: "false",
  };
  await t.step("auth is on without being asked for", () => {
    const cfg = parseConfig([], { DENO_DEPLOYMENT_ID: "abc", ...admin });
    strictEqual(cfg.auth, true);
    deepStrictEqual(cfg.admin, { username: "admin", password: "correct horse battery" });
    strictEqual(
      parseConfig([], { DENO_DEPLOYMENT_ID: "abc", KVFLOW_AUTH: "true", ...admin }).auth,
      true,
    );
  });
  await t.step("turning it off is refused", () => {
    throwsConfigError(
      () => parseConfig([], { DENO_DEPLOYMENT_ID: "abc", KVFLOW_AUTH: "false", ...admin }),
      /Auth cannot be turned off on Deno Deploy \(KVFLOW_AUTH=false\)/,
    );
    throwsConfigError(
      () => parseConfig(["--no-auth"], { DENO_DEPLOYMENT_ID: "abc", ...admin }),
      /Auth cannot be turned off on Deno Deploy \(--no-auth\)/,
    );
  });
  await t.step("without admin variables it names both", () => {
    throwsConfigError(
      () => parseConfig([], { DENO_DEPLOYMENT_ID: "abc" }),
      /On Deno Deploy .*set KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD/,
    );
  });
  await t.step("with one of them it names the other", () => {
    throwsConfigError(
      () => parseConfig([], { DENO_DEPLOYMENT_ID: "abc", KVFLOW_ADMIN_USERNAME: "admin" }),
      /KVFLOW_ADMIN_PASSWORD is not/,
    );
    throwsConfigError(
      () => parseConfig([], { DENO_DEPLOYMENT_ID: "abc", KVFLOW_ADMIN_PASSWORD: "x".repeat(12) }),
      /KVFLOW_ADMIN_USERNAME is not/,
    );
  });
});

Deno.test("parseConfig() on Deno Deploy refuses a local artifact destination while serving artifacts", async (t) => {
  const deploy = {
    DENO_DEPLOYMENT_ID: "abc",
    KVFLOW_ADMIN_USERNAME: "admin",
    KVFLOW_ADMIN_PASSWORD: "correct horse battery",
  };
  const refused =
    /On Deno Deploy artifacts cannot be stored on local disk .*MLFLOW_ARTIFACTS_DESTINATION=s3:\/\/.*--no-serve-artifacts/;
  await t.step("the ./mlartifacts default, a path, a file: URL, a drive path", () => {
    throwsConfigError(() => parseConfig([], deploy), refused);
    throwsConfigError(() => parseConfig(["--artifacts-only"], deploy), refused);
    for (const dest of ["/srv/artifacts", "relative/dir", "file:///srv/artifacts", "C:\\art"]) {
      throwsConfigError(
        () => parseConfig([], { ...deploy, MLFLOW_ARTIFACTS_DESTINATION: dest }),
        refused,
      );
      throwsConfigError(() => parseConfig(["--artifacts-destination", dest], deploy), refused);
    }
  });
  await t.step("S3, or not serving artifacts, is accepted", () => {
    const s3 = parseConfig([], { ...deploy, MLFLOW_ARTIFACTS_DESTINATION: "s3://b/p" });
    strictEqual(s3.artifactsDestination, "s3://b/p");
    strictEqual(parseConfig(["--no-serve-artifacts"], deploy).serveArtifacts, false);
    strictEqual(
      parseConfig([], { ...deploy, MLFLOW_SERVE_ARTIFACTS: "false" }).serveArtifacts,
      false,
    );
  });
  await t.step("off Deploy a local destination stays the default", () => {
    strictEqual(parseConfig([], {}).artifactsDestination, DEFAULT_ARTIFACTS_DESTINATION);
  });
});

Deno.test("startupWarnings() warns about a non-loopback host without auth", async (t) => {
  const warnings = (args: string[], env = {}) => startupWarnings(parseConfig(args, env));
  await t.step("loopback hosts are quiet", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
      deepStrictEqual(warnings(["--host", host]), [], host);
    }
  });
  await t.step("other hosts warn, naming the fix", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.5", "example.com"]) {
      const [w, ...rest] = warnings(["--host", host]);
      deepStrictEqual(rest, [], host);
      match(w, new RegExp(`listening on ${RegExp.escape(host)} without authentication`));
      match(w, /--auth/);
    }
  });
  await t.step("with auth, nothing to warn about", () => {
    deepStrictEqual(warnings(["--host", "0.0.0.0", "--auth"]), []);
  });
  await t.step("admin variables without auth are said to be ignored", () => {
    const [w] = warnings([], {
      KVFLOW_ADMIN_USERNAME: "admin",
      KVFLOW_ADMIN_PASSWORD: "correct horse battery",
    });
    match(w, /KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD are ignored: auth is off/);
  });
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
  for (
    const flag of [
      "--host",
      "--port",
      "--backend-store-uri",
      "--allowed-hosts",
      "--artifacts-destination",
      "--default-artifact-root",
      "--no-serve-artifacts",
      "--artifacts-only",
      "--auth",
      "--default-permission",
      "KVFLOW_ADMIN_USERNAME",
      "KVFLOW_ADMIN_PASSWORD",
    ]
  ) {
    strictEqual(stdout.includes(flag), true, `usage mentions ${flag}`);
  }
});

Deno.test("main.ts stores proxied artifacts under --artifacts-destination", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-main-artifacts-" });
  try {
    await using server = await startServer({
      args: ["--artifacts-destination", dir, "--default-artifact-root", "mlflow-artifacts:/"],
    });
    const created = await postJson(server.url, "/api/2.0/mlflow/experiments/create", { name: "a" });
    strictEqual(created.status, 200);
    const exp = await fetch(
      `${server.url}/api/2.0/mlflow/experiments/get?experiment_id=${created.body.experiment_id}`,
    ).then((r) => r.json());
    strictEqual(
      exp.experiment.artifact_location,
      `mlflow-artifacts:/${created.body.experiment_id}`,
    );

    const url = `${server.url}/api/2.0/mlflow-artifacts/artifacts/1/run/artifacts/hello.txt`;
    const put = await fetch(url, {
      method: "PUT",
      body: "hello",
      headers: { "content-type": "text/plain" },
    });
    deepStrictEqual([put.status, await put.json()], [200, {}]);
    strictEqual(await Deno.readTextFile(`${dir}/1/run/artifacts/hello.txt`), "hello");
    const got = await fetch(url);
    deepStrictEqual([got.status, await got.text()], [200, "hello"]);
    match(server.output(), new RegExp(`artifacts: ${RegExp.escape(dir)}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --no-serve-artifacts answers 503 on artifact routes", async () => {
  await using server = await startServer({ args: ["--no-serve-artifacts"] });
  const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=x`);
  strictEqual(res.status, 503);
  match(await res.text(), /--no-serve-artifacts/);
  match(server.output(), /artifacts: not served/);
});

Deno.test("main.ts exits 2 on an unsupported artifacts destination", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN_TS,
      "--backend-store-uri",
      ":memory:",
      "--artifacts-destination",
      "ftp://x/y",
    ],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  strictEqual(out.code, 2);
  match(new TextDecoder().decode(out.stderr), /invalid artifacts destination "ftp:\/\/x\/y"/);
});

/** Runs main.ts to completion (for startups that must fail) and returns its exit code and output. */
async function runMain(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_TS, "--port", "0", ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

const ADMIN_ENV = { KVFLOW_ADMIN_USERNAME: "admin", KVFLOW_ADMIN_PASSWORD: "first admin password" };

function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}

/** Status of `experiments/search` with these headers. */
async function searchStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/api/2.0/mlflow/experiments/search`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });
  await res.body?.cancel();
  return res.status;
}

Deno.test("main.ts --auth with no users and no admin variables exits 2 naming them", async () => {
  const { code, stderr } = await runMain(["--auth", "--backend-store-uri", ":memory:"]);
  strictEqual(code, 2, stderr);
  match(stderr, /no users/);
  match(stderr, /KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD/);
});

Deno.test("main.ts on Deno Deploy without admin variables exits 2 naming them", async () => {
  const { code, stderr } = await runMain(["--backend-store-uri", ":memory:"], {
    DENO_DEPLOYMENT_ID: "test",
    KVFLOW_ADMIN_USERNAME: "admin",
  });
  strictEqual(code, 2, stderr);
  match(stderr, /KVFLOW_ADMIN_USERNAME is set but KVFLOW_ADMIN_PASSWORD is not/);
  const none = await runMain(["--backend-store-uri", ":memory:"], { DENO_DEPLOYMENT_ID: "test" });
  strictEqual(none.code, 2, none.stderr);
  match(none.stderr, /set KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD/);
});

Deno.test("main.ts exits 2 when the admin password is too short to create the admin", async () => {
  const { code, stderr } = await runMain(["--auth", "--backend-store-uri", ":memory:"], {
    KVFLOW_ADMIN_USERNAME: "admin",
    KVFLOW_ADMIN_PASSWORD: "short",
  });
  strictEqual(code, 2, stderr);
  match(stderr, /cannot create the admin user: Password must be/);
  strictEqual(stderr.includes("short"), false, "the password is not echoed");
});

Deno.test("main.ts on Deno Deploy with the local ./mlartifacts default exits 2 naming S3", async () => {
  const { code, stderr } = await runMain(["--backend-store-uri", ":memory:"], {
    DENO_DEPLOYMENT_ID: "test",
    ...ADMIN_ENV,
  });
  strictEqual(code, 2, stderr);
  match(stderr, /artifacts cannot be stored on local disk \("\.\/mlartifacts"\)/);
  match(stderr, /MLFLOW_ARTIFACTS_DESTINATION=s3:\/\//);
});

Deno.test("main.ts on Deno Deploy serves with auth on", async () => {
  await using server = await startServer({
    args: ["--no-serve-artifacts"],
    env: { DENO_DEPLOYMENT_ID: "test", ...ADMIN_ENV },
  });
  match(server.output(), /auth: on, default permission READ/);
  strictEqual(await searchStatus(server.url), 401);
  strictEqual(
    await searchStatus(server.url, {
      authorization: basic("admin", ADMIN_ENV.KVFLOW_ADMIN_PASSWORD),
    }),
    200,
  );
});

Deno.test("main.ts --auth bootstraps the admin once and never resets its password", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-main-auth-" });
  const kvPath = `${dir}/mlruns.kv`;
  const first = ADMIN_ENV.KVFLOW_ADMIN_PASSWORD;
  try {
    {
      await using server = await startServer({
        kvPath,
        args: ["--auth", "--default-permission", "EDIT"],
        env: ADMIN_ENV,
      });
      match(server.output(), /created the admin user "admin"/);
      match(server.output(), /auth: on, default permission EDIT/);
      strictEqual(await searchStatus(server.url), 401);
      strictEqual(await fetch(`${server.url}/health`).then((r) => r.status), 200);
      strictEqual(await searchStatus(server.url, { authorization: basic("admin", first) }), 200);
      strictEqual(await searchStatus(server.url, { authorization: basic("admin", "wrong") }), 401);
    }
    // The admin changes their password (as users/update-password would) between two starts.
    const kv = await Deno.openKv(kvPath);
    await createKvAuthStore(kv, { pbkdf2Iterations: 1000 }).updatePassword(
      "admin",
      "the changed password",
    );
    kv.close();
    {
      await using server = await startServer({ kvPath, args: ["--auth"], env: ADMIN_ENV });
      strictEqual(server.output().includes("created the admin user"), false, server.output());
      strictEqual(await searchStatus(server.url, { authorization: basic("admin", first) }), 401);
      strictEqual(
        await searchStatus(server.url, { authorization: basic("admin", "the changed password") }),
        200,
      );
    }
    // Once users exist, the variables may go.
    {
      await using server = await startServer({ kvPath, args: ["--app-name", "basic-auth"] });
      strictEqual(
        await searchStatus(server.url, { authorization: basic("admin", "the changed password") }),
        200,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts warns on stderr when bound beyond loopback without auth", async () => {
  await using server = await startServer({ args: ["--host", "0.0.0.0"] });
  match(server.output(), /WARNING: listening on 0\.0\.0\.0 without authentication/);
  match(server.output(), /auth: off/);
});
