/**
 * The traversal and injection shapes of mlflow-rest.md §9 and §11 (tests/helpers/artifact_attacks.ts)
 * against kvflow serving artifacts from Azure Blob Storage (Azurite), over a raw socket: every
 * request is refused with a 4xx, and canary blobs beside the repository's prefix, in the same
 * container, are never read, listed, changed or deleted.
 *
 * @module
 */
import assert from "node:assert/strict";
import { openArtifactRepository } from "../artifacts/mod.ts";
import type { ArtifactRepository } from "../artifacts/types.ts";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { streamOf, textOf } from "./artifacts_conformance.ts";
import { attacks, rawRequest, SHAPES } from "./helpers/artifact_attacks.ts";
import { startAzurite } from "./helpers/azurite.ts";

const CONTAINER = "attacks";
const CANARY_TEXT = "canary: must never be read, listed, changed or deleted";

/** Every blob under `dir` of `repo`, as `path=size`, sorted. */
async function walk(repo: ArtifactRepository, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await repo.list(dir)) {
    if (e.is_dir) out.push(...await walk(repo, e.path));
    else out.push(`${e.path}=${e.file_size ?? 0}`);
  }
  return out.sort();
}

Deno.test("attack shapes on an Azure-backed server → 4xx everywhere, nothing beside the prefix touched", async () => {
  const azure = await startAzurite({ containers: [CONTAINER] });
  try {
    const env = { AZURE_STORAGE_CONNECTION_STRING: azure.connectionString };
    const host = `${azure.account}.blob.core.windows.net`;
    // The whole container, to plant and check the canaries beside the server's prefix.
    const container = openArtifactRepository(`wasbs://${CONTAINER}@${host}`, env);
    for (const canary of ["canary.txt", "etc/passwd", "rootx/canary.txt"]) {
      await container.put(canary, streamOf(CANARY_TEXT));
    }
    const store = createMemoryStore();
    const app = createApp({
      store,
      artifacts: openArtifactRepository(`wasbs://${CONTAINER}@${host}/root`, env),
    });
    const run = await store.createRun({
      experimentId: await store.createExperiment({ name: "attacks" }),
    });
    const runRoot = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    await container.put(`root/${runRoot}/inside.txt`, streamOf("inside"));
    const before = await walk(container);

    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
    const target = { dir: "/root", canary: "/canary.txt", runId: run.info.run_id };
    let sent = 0;
    for (const shape of SHAPES) {
      for (const [method, path, body, ct] of attacks(target, shape)) {
        const res = await rawRequest(server.addr.port, method, path, body, ct);
        const what = `${shape.name}: ${method} ${JSON.stringify(path)} → ${res.status} ${res.body}`;
        assert.ok(res.status >= 400 && res.status < 500, what);
        assert.ok(!res.body.includes(CANARY_TEXT), `leaked the canary: ${what}`);
        assert.ok(!res.body.includes('"files"'), `listed something: ${what}`);
        assert.ok(!/^location:/im.test(res.headers), `redirected: ${what}`);
        sent++;
      }
    }
    assert.ok(sent > 200, `only ${sent} attacks sent`);

    // Every blob of the container is still there, unchanged, and nothing was added.
    assert.deepEqual(await walk(container), before);
    for (const canary of ["canary.txt", "etc/passwd", "rootx/canary.txt"]) {
      assert.equal(await textOf((await container.get(canary))!.body), CANARY_TEXT, canary);
    }
  } finally {
    await azure.stop();
  }
});
