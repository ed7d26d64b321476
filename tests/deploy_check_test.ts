/**
 * `deno task deploy-check` in the suite (issue 12 §4): a Deploy-like kvflow (Deploy's permissions
 * only, `Deno.openKv()` on KV Connect, artifacts on s3rver, auth forced on) passes the MLflow
 * client's flows and serves every UI page. Skipped where the KV Connect tool is missing (CI
 * requires it, see tests/helpers/kvconnect.ts).
 *
 * @module
 */
import assert from "node:assert/strict";
import { skipKvConnect } from "./helpers/kvconnect.ts";
import { runDeployCheck, summarize } from "./deploy_check.ts";

Deno.test({
  name: "deploy-check: a Deploy-like server passes the client flows and serves every UI page",
  ignore: skipKvConnect,
  fn: async () => {
    const result = await runDeployCheck();
    assert.deepEqual(
      result.failures,
      [],
      `${summarize(result)}\nserver output:\n${result.serverOutput.slice(-4000)}`,
    );
    // The flows and the pages really ran (a table that lost its steps would pass vacuously).
    assert.ok(result.requests.filter((r) => r.name.startsWith("flow ")).length >= 60);
    assert.ok(result.requests.filter((r) => r.name.startsWith("page ")).length >= 9);
  },
});
