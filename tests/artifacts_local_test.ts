import { strict as assert } from "node:assert";
import { join } from "node:path";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { openArtifactRepository } from "../artifacts/mod.ts";
import type { ArtifactRepository } from "../artifacts/types.ts";
import {
  assertMlflowError,
  checkStreamingMemoryInSubprocess,
  failingStream,
  runArtifactRepositoryConformance,
  streamOf,
  textOf,
} from "./artifacts_conformance.ts";

const MIB = 1024 * 1024;

/** Runs `fn` with a local repository on a fresh temp dir (plus a sibling dir outside the root). */
async function withRepo(
  fn: (repo: ArtifactRepository, root: string, outside: string) => Promise<void>,
): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "kvflow-artifacts-" });
  try {
    const root = join(base, "root");
    const outside = join(base, "outside");
    await Deno.mkdir(root);
    await Deno.mkdir(outside);
    await fn(createLocalArtifactRepository({ rootDir: root }), root, outside);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("createLocalArtifactRepository() passes the artifact conformance suite", async (t) => {
  const dirs: string[] = [];
  try {
    await runArtifactRepositoryConformance(t, async () => {
      const dir = await Deno.makeTempDir({ prefix: "kvflow-artifacts-" });
      dirs.push(dir);
      return createLocalArtifactRepository({ rootDir: dir });
    });
  } finally {
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createLocalArtifactRepository() refuses symlinks leading outside the root", async () => {
  await withRepo(async (repo, root, outside) => {
    await Deno.writeTextFile(join(outside, "secret.txt"), "secret");
    await Deno.symlink(outside, join(root, "link-dir"));
    await Deno.symlink(join(outside, "secret.txt"), join(root, "link-file"));
    await Deno.symlink(join(outside, "nowhere"), join(root, "dangling"));

    await assertMlflowError(repo.get("link-dir/secret.txt"));
    await assertMlflowError(repo.get("link-file"));
    await assertMlflowError(repo.list("link-dir"));
    await assertMlflowError(repo.put("link-dir/planted.txt", streamOf("x")));
    await assertMlflowError(repo.put("link-dir/new/deeper.txt", streamOf("x")));
    await assertMlflowError(repo.put("dangling/x.txt", streamOf("x")));
    await assertMlflowError(repo.delete("link-dir/secret.txt"));
    await assertMlflowError(repo.delete("link-dir"));

    // Nothing outside was read, written or removed; the links stay out of listings.
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["secret.txt"]);
    assert.equal(await Deno.readTextFile(join(outside, "secret.txt")), "secret");
    assert.deepEqual(await repo.list(""), []);
  });
});

Deno.test("createLocalArtifactRepository() follows symlinks that stay inside the root", async () => {
  await withRepo(async (repo, root) => {
    await repo.put("real/file.txt", streamOf("inside"));
    await Deno.symlink(join(root, "real"), join(root, "alias"));
    assert.equal(await textOf((await repo.get("alias/file.txt"))!.body), "inside");
    assert.deepEqual(await repo.list("alias"), [
      { path: "alias/file.txt", is_dir: false, file_size: 6 },
    ]);
  });
});

Deno.test("createLocalArtifactRepository() works when the root itself is a symlink", async () => {
  await withRepo(async (_repo, root, outside) => {
    const linkedRoot = join(outside, "root-link");
    await Deno.symlink(root, linkedRoot);
    const repo = createLocalArtifactRepository({ rootDir: linkedRoot });
    await repo.put("a/b.txt", streamOf("ok"));
    assert.equal(await Deno.readTextFile(join(root, "a", "b.txt")), "ok");
  });
});

Deno.test("createLocalArtifactRepository() writes through a temp file renamed into place", async () => {
  await withRepo(async (repo, root) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let step = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step++ === 0) {
          controller.enqueue(new TextEncoder().encode("first half, "));
          return;
        }
        await gate;
        controller.enqueue(new TextEncoder().encode("second half"));
        controller.close();
      },
    });
    const upload = repo.put("doc.txt", slow);
    // Mid-upload: no file under the final name, the temp file is hidden from listings.
    while ([...Deno.readDirSync(root)].length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(await repo.get("doc.txt"), null);
    assert.deepEqual(await repo.list(""), []);
    const names = [...Deno.readDirSync(root)].map((e) => e.name);
    assert.equal(names.length, 1);
    assert.match(names[0], /^\.kvflow-upload-/);
    release();
    await upload;
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["doc.txt"]);
    assert.equal(await textOf((await repo.get("doc.txt"))!.body), "first half, second half");
  });
});

Deno.test("createLocalArtifactRepository() leaves no temp file after a failed upload", async () => {
  await withRepo(async (repo, root) => {
    await assert.rejects(repo.put("dir/broken.bin", failingStream("some bytes")));
    assert.deepEqual([...Deno.readDirSync(join(root, "dir"))], []);
  });
});

Deno.test("createLocalArtifactRepository() refuses to write over a directory or under a file", async () => {
  await withRepo(async (repo) => {
    await repo.put("d/inner.txt", streamOf("x"));
    await assertMlflowError(repo.put("d", streamOf("x")));
    await assertMlflowError(repo.put("d/inner.txt/below", streamOf("x")));
    assert.equal(await textOf((await repo.get("d/inner.txt"))!.body), "x");
  });
});

Deno.test("createLocalArtifactRepository() leaves out entries whose names could not be served", async () => {
  await withRepo(async (repo, root) => {
    for (const name of ["ok.txt", "a#b", "semi;colon", "back\\slash", "pct%41", "ctl\u0001"]) {
      await Deno.writeTextFile(join(root, name), "x");
    }
    assert.deepEqual(await repo.list(""), [{ path: "ok.txt", is_dir: false, file_size: 1 }]);
  });
});

Deno.test("createLocalArtifactRepository() creates its root on first write", async () => {
  await withRepo(async (_repo, root) => {
    const repo = createLocalArtifactRepository({ rootDir: join(root, "not", "yet") });
    assert.deepEqual(await repo.list(""), []);
    assert.equal(await repo.get("x"), null);
    await repo.delete("x");
    await repo.put("x", streamOf("made"));
    assert.equal(await Deno.readTextFile(join(root, "not", "yet", "x")), "made");
  });
});

Deno.test("createLocalArtifactRepository() does not support multipart uploads", async () => {
  await withRepo(async (repo) => {
    for (
      const call of [
        repo.createMultipartUpload("a.bin", 2),
        repo.completeMultipartUpload("a.bin", "id", [{ part_number: 1, etag: "e" }]),
        repo.abortMultipartUpload("a.bin", "id"),
      ]
    ) {
      const err = await assertMlflowError(call, "NOT_IMPLEMENTED");
      assert.match(
        err.message,
        /^Multipart upload is not supported for the current artifact repository/,
      );
    }
  });
});

Deno.test("openArtifactRepository() opens local repositories from paths and file URLs", async () => {
  await withRepo(async (_repo, root) => {
    const byPath = openArtifactRepository(root);
    await byPath.put("p.txt", streamOf("path"));
    const byUrl = openArtifactRepository(`file://${root}`);
    assert.equal(await textOf((await byUrl.get("p.txt"))!.body), "path");
  });
});

Deno.test("createLocalArtifactRepository() streams 512 MiB without buffering it", async () => {
  await withRepo(async (_repo, root) => {
    const report = await checkStreamingMemoryInSubprocess(root, {}, "big/blob.bin", 512 * MIB);
    console.log(`local streaming: ${JSON.stringify(report)}`);
    assert.ok(report.peakGrowthMiB < 150, `RSS grew by ${report.peakGrowthMiB.toFixed(1)} MiB`);
  });
});

Deno.test("regression: concurrent uploads into a new directory all succeed (no spurious 'symbolic link' 400)", async () => {
  await withRepo(async (repo) => {
    // Each upload resolves the not-yet-existing directory while others create it; one that saw
    // it missing and then present was refused as a dangling symlink.
    for (let round = 0; round < 20; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => repo.put(`r${round}/a/b/f${i}.txt`, streamOf(`${i}`))),
      );
      const failed = results.filter((r) => r.status === "rejected");
      assert.deepEqual(failed, [], `round ${round}`);
    }
  });
});
