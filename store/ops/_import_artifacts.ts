/**
 * The artifacts of an imported run or logged model (store/ops/import.ts): copied into
 * `opts.artifacts`, from the record's checked local directory (`artifact_source`, an MLflow store
 * without a server) or from `opts.artifactsDir` in the proxy layout.
 *
 * @module
 */
import { copyProxiedTree, ownProxiedPath } from "../../artifacts/copy.ts";
import { copyLocalTree } from "../../artifacts/local_tree.ts";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import type { ArtifactRepository } from "../../artifacts/types.ts";
import type { ImportContext } from "./_import_context.ts";

/** Copies imported artifacts, counting files and bytes and warning of what is left out. */
export class ArtifactImport {
  #source: ArtifactRepository | undefined;

  constructor(readonly ctx: ImportContext) {
    this.#source = ctx.opts.artifactsSource;
  }

  /**
   * Copies the artifacts of `subject`, which were at `fromUri` (or in the local directory
   * `artifactSource`), to where it is now (`destination()`, read only when there is a copy).
   */
  async copy(
    subject: string,
    artifactSource: string | undefined,
    fromUri: string,
    destination: () => Promise<string>,
  ): Promise<void> {
    const { artifactsDir, artifacts } = this.ctx.opts;
    if (artifactSource !== undefined) {
      await this.#copyLocal(subject, artifactSource, await destination());
    } else if (artifactsDir && artifacts) {
      this.#source ??= createLocalArtifactRepository({ rootDir: artifactsDir });
      const copied = await copyProxiedTree(
        this.#source,
        fromUri,
        artifacts,
        await destination(),
        (message) => this.ctx.warn(subject, message),
      );
      if (copied) this.#count(copied);
    }
  }

  /** Copies a checked local directory (an MLflow store without a server) to `toUri`. */
  async #copyLocal(subject: string, dir: string, toUri: string): Promise<void> {
    if (!this.ctx.opts.trustArtifactSources) {
      this.ctx.warn(
        subject,
        `artifact_source ${JSON.stringify(dir)} ignored: not from an MLflow store`,
      );
      return;
    }
    const toPath = ownProxiedPath(toUri);
    if (!this.ctx.opts.artifacts || toPath === null) {
      this.ctx.warn(subject, `artifacts in ${dir} not copied: no proxied artifact destination`);
      return;
    }
    const copied = await copyLocalTree(dir, this.ctx.opts.artifacts, toPath);
    for (const s of copied.skipped) {
      this.ctx.warn(subject, `artifact ${s.path} not copied: ${s.reason}`);
    }
    if (copied.skippedCount > copied.skipped.length) {
      this.ctx.warn(
        subject,
        `${copied.skippedCount - copied.skipped.length} more artifacts not copied`,
      );
    }
    this.#count(copied);
  }

  #count(copied: { files: number; bytes: number }): void {
    this.ctx.count("artifact_files", copied.files);
    this.ctx.count("artifact_bytes", copied.bytes);
  }
}
