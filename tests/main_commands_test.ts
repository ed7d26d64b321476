import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { type Command, ConfigError, parseCommandArgs } from "../main.ts";

const probe: Command = {
  summary: "probe",
  usage: "",
  options: { "dry-run": { type: "boolean" }, "run-ids": { type: "string" } },
  positionals: true,
  run: () => Promise.resolve(0),
};

Deno.test("parseCommandArgs() gives the store flags to parseConfig and keeps the command's own", () => {
  const { config, values, positionals } = parseCommandArgs(
    probe,
    [
      "--backend-store-uri",
      "/tmp/x.kv",
      "--dry-run",
      "--run-ids=a,b",
      "FILE",
      "--no-serve-artifacts",
    ],
    { MLFLOW_ARTIFACTS_DESTINATION: "/tmp/art" },
  );
  strictEqual(config.kvPath, "/tmp/x.kv");
  strictEqual(config.artifactsDestination, "/tmp/art");
  strictEqual(config.serveArtifacts, false);
  deepStrictEqual(values, { "dry-run": true, "run-ids": "a,b" });
  deepStrictEqual(positionals, ["FILE"]);
});

Deno.test("parseCommandArgs() refuses unknown flags and positionals a command does not take", () => {
  throws(() => parseCommandArgs(probe, ["--older-then", "3d"], {}), ConfigError);
  throws(() => parseCommandArgs({ ...probe, positionals: false }, ["FILE"], {}), ConfigError);
  // A bad store flag value is the server's error, with the same message.
  throws(() => parseCommandArgs(probe, ["--backend-store-uri", "mysql://x"], {}), ConfigError);
});
