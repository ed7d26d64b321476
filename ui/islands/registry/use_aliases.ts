/**
 * A registered model's aliases as the registry islands edit them: the list, setting one (which
 * moves it when it pointed at another version) and removing one, each told through the island's
 * notice. Shared by the versions table and the version page, so both say the same.
 *
 * @module
 */
import { useState } from "preact/hooks";
import type { RegisteredModelAlias } from "../../../store/registry/types.ts";
import { dropAlias, setAlias } from "../../shared/registry_edits.ts";
import { deleteModelAlias, errorMessage } from "../api.ts";

/** What an alias edit tells the viewer. */
export interface AliasNotice {
  kind: "info" | "error";
  text: string;
}

/** Arguments of {@linkcode useModelAliases}. */
export interface ModelAliasesOptions {
  /** The registered model's name. */
  name: string;
  /** Its aliases as the page was rendered. */
  initial: RegisteredModelAlias[];
  /** How a notice names a version: "version 3" in a table of them, "this version" on its page. */
  versionLabel: (version: string) => string;
  say: (notice: AliasNotice) => void;
  /** Held while a removal is in flight. */
  setBusy: (busy: boolean) => void;
}

/** The aliases' state and its two edits (see the module's doc). */
export function useModelAliases(opts: ModelAliasesOptions) {
  const { name, versionLabel, say, setBusy } = opts;
  const [aliases, setAliases] = useState(opts.initial);

  /** After `AliasForm` set `alias` on `version`: moved or set, and said so. */
  function onAliasSet(alias: string, version: string) {
    const next = setAlias(aliases, alias, version);
    setAliases(next.aliases);
    say({
      kind: "info",
      text: next.movedFrom
        ? `Moved @${alias} from version ${next.movedFrom} to ${versionLabel(version)}.`
        : `Set @${alias} on ${versionLabel(version)}.`,
    });
  }

  async function removeAlias(alias: string) {
    setBusy(true);
    try {
      await deleteModelAlias(name, alias);
      setAliases((as) => dropAlias(as, alias));
      say({ kind: "info", text: `Removed @${alias}.` });
      document.getElementById("new-alias")?.focus();
    } catch (err) {
      say({ kind: "error", text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  return { aliases, setAliases, onAliasSet, removeAlias };
}
