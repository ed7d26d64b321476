import type { ModelVersion, RegisteredModel } from "../../store/registry/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { KvTable } from "../components/KvTable.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { AliasChip, AliasLinks } from "../components/ModelBadges.tsx";
import { Section } from "../components/Section.tsx";
import { TagList } from "../components/TagList.tsx";
import { modelVersionHref } from "../shared/models.ts";
import {
  aliasesOf,
  PROMPT_DIFF_ID,
  promptDiffHref,
  promptHref,
  promptTags,
  promptTemplate,
  promptVersionAnchor,
} from "../shared/prompts.ts";
import type { DiffLine, TextDiff } from "../shared/text_diff.ts";

/** The comparison the page shows (`?diff=<from>&to=<to>`). */
export interface PromptDiffProps {
  from: string;
  to: string;
  /** The line diff of the two templates; null when `error` says why there is none. */
  result: TextDiff | null;
  /** Why the versions could not be compared (one does not exist, or has no template). */
  error?: string;
}

/** Props of {@linkcode PromptPage}. */
export interface PromptPageProps {
  /** The prompt: a registered model tagged `mlflow.prompt.is_prompt = true`. */
  prompt: RegisteredModel;
  /** Its prompt versions, newest first (the first {@linkcode versionsLimit}). */
  versions: ModelVersion[];
  /** How many versions the page reads at most. */
  versionsLimit: number;
  /** Whether more versions exist than are shown. */
  moreVersions: boolean;
  /**
   * Versions of the registered model that are not prompt versions (registered with a model
   * source rather than a template): listed by number, linking to their model version page.
   */
  otherVersions: ModelVersion[];
  /** The comparison asked for in the URL, if any. */
  diff?: PromptDiffProps;
}

const MARK = { same: " ", del: "-", add: "+" } as const;
const SAID = { same: "", del: "removed", add: "added" } as const;

function DiffText({ line }: { line: DiffLine }) {
  if (!line.parts) return <>{line.text}</>;
  return (
    <>
      {line.parts.map((p, i) =>
        !p.changed
          ? p.text
          : line.op === "add"
          ? <ins key={i}>{p.text}</ins>
          : <del key={i}>{p.text}</del>
      )}
    </>
  );
}

/** A line diff: line numbers on both sides, a visible +/- marker, changed words marked. */
function TemplateDiff({ diff, from, to }: { diff: TextDiff; from: string; to: string }) {
  return (
    <div class="table-wrap">
      <table class="text-diff" aria-label={`Template changes from version ${from} to ${to}`}>
        <thead class="visually-hidden">
          <tr>
            <th scope="col">Line in version {from}</th>
            <th scope="col">Line in version {to}</th>
            <th scope="col">Change</th>
            <th scope="col">Text</th>
          </tr>
        </thead>
        <tbody>
          {diff.lines.map((l, i) => (
            <tr key={i} class={`text-diff__line text-diff__line--${l.op}`}>
              <td class="text-diff__no">{l.oldNo ?? ""}</td>
              <td class="text-diff__no">{l.newNo ?? ""}</td>
              <td class="text-diff__mark">
                <span aria-hidden="true">{MARK[l.op]}</span>
                {SAID[l.op] && <span class="visually-hidden">{SAID[l.op]}</span>}
              </td>
              <td class="text-diff__text">
                <DiffText line={l} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A comparison's outcome: the diff, or that the templates are the same. */
function DiffResult({ diff, from, to }: { diff: TextDiff; from: string; to: string }) {
  if (diff.added + diff.removed === 0) {
    return <p class="muted">The templates of version {from} and version {to} are the same.</p>;
  }
  return (
    <>
      {diff.truncated && (
        <p class="notice">
          These templates are too long to compare line by line: the part that differs is shown
          removed whole, then added whole.
        </p>
      )}
      <TemplateDiff diff={diff} from={from} to={to} />
    </>
  );
}

/** The "Compare versions" form (a plain GET form) and the comparison the URL asks for. */
function CompareVersions(
  { name, versions, diff }: { name: string; versions: ModelVersion[]; diff?: PromptDiffProps },
) {
  const numbers = versions.map((v) => v.version);
  const to = diff?.to ?? numbers[0];
  const from = diff?.from ?? numbers[1];
  const r = diff?.result;
  return (
    <Section
      headingId="prompt-diff-heading"
      title="Compare versions"
      note={r && `${r.removed} line${r.removed === 1 ? "" : "s"} removed, ${r.added} added`}
    >
      <div id={PROMPT_DIFF_ID} class="prompt-diff">
        {numbers.length >= 2 && (
          <form
            class="toolbar prompt-compare"
            method="get"
            action={`${promptHref(name)}#${PROMPT_DIFF_ID}`}
          >
            <label for="prompt-diff-from">From</label>
            <select id="prompt-diff-from" name="diff">
              {numbers.map((n) => (
                <option key={n} value={n} selected={n === from}>Version {n}</option>
              ))}
            </select>
            <label for="prompt-diff-to">to</label>
            <select id="prompt-diff-to" name="to">
              {numbers.map((n) => (
                <option key={n} value={n} selected={n === to}>Version {n}</option>
              ))}
            </select>
            <button type="submit" class="button">Compare</button>
            {diff && !diff.error && diff.from !== diff.to && (
              <a href={promptDiffHref(name, diff.to, diff.from)}>Swap</a>
            )}
            {diff && <a href={promptHref(name)}>Close</a>}
          </form>
        )}
        {numbers.length < 2 && !diff && (
          <p class="muted">With two versions or more, their templates can be compared here.</p>
        )}
        {diff?.error && <p class="field-error" role="alert">{diff.error}</p>}
        {diff && r && <DiffResult diff={r} from={diff.from} to={diff.to} />}
      </div>
    </Section>
  );
}

function PromptVersion(
  { name, version, aliases, previous }: {
    name: string;
    version: ModelVersion;
    aliases: string[];
    previous?: string;
  },
) {
  const template = promptTemplate(version.tags);
  const tags = promptTags(version.tags);
  const headingId = `prompt-version-${version.version}-heading`;
  return (
    <article
      id={promptVersionAnchor(version.version)}
      class="prompt-version"
      aria-labelledby={headingId}
    >
      <header class="prompt-version__head">
        <h3 id={headingId}>Version {version.version}</h3>
        {aliases.length > 0 && (
          <ul class="aliases">
            {aliases.map((a) => (
              <li key={a}>
                <AliasChip alias={a} />
              </li>
            ))}
          </ul>
        )}
        <span class="muted">
          <DateTime ms={version.creation_timestamp} />
          {version.user_id && ` by ${version.user_id}`}
        </span>
        {previous !== undefined && (
          <a class="prompt-version__compare" href={promptDiffHref(name, previous, version.version)}>
            Compare with version {previous}
          </a>
        )}
      </header>
      {version.description
        ? <p class="prompt-version__message">{version.description}</p>
        : <p class="prompt-version__message muted">No commit message.</p>}
      {template === undefined
        ? <p class="muted">This version has no template.</p>
        : <pre class="code-block prompt-template"><code>{template}</code></pre>}
      {tags.length > 0 && (
        <div class="prompt-version__tags">
          <TagList tags={tags} max={tags.length} />
        </div>
      )}
    </article>
  );
}

/**
 * `/prompts/:name`: one prompt of MLflow 3's prompt registry — its tags, aliases, and every
 * version newest first with its template (whitespace kept), commit message, tags and aliases;
 * with `?diff=<a>&to=<b>`, a line diff of two versions' templates (words marked inside changed
 * lines), picked with a plain GET form. Everything is read-only: prompts are edited from the
 * MLflow client.
 */
export function PromptPage(props: PromptPageProps) {
  const { prompt, versions, versionsLimit, moreVersions, otherVersions, diff } = props;
  const tags = promptTags(prompt.tags);
  const latest = versions[0];
  const withTemplate = versions.filter((v) => promptTemplate(v.tags) !== undefined);
  return (
    <Layout
      active="prompts"
      crumbs={[{ label: "Prompts", href: "/prompts" }, { label: prompt.name }]}
    >
      <div class="page-head">
        <h1>{prompt.name}</h1>
      </div>
      <dl class="meta">
        <MetaItem label="Latest version">
          {latest
            ? <a href={promptHref(prompt.name, latest.version)}>Version {latest.version}</a>
            : <span class="muted">—</span>}
        </MetaItem>
        <MetaItem label="Created">
          <DateTime ms={prompt.creation_timestamp} />
        </MetaItem>
        <MetaItem label="Last updated">
          <DateTime ms={prompt.last_updated_timestamp} />
        </MetaItem>
        {prompt.user_id && <MetaItem label="User">{prompt.user_id}</MetaItem>}
      </dl>
      {prompt.description && <p class="description prompt-description">{prompt.description}</p>}

      <div class="run-grid">
        <Section headingId="prompt-aliases-heading" title="Aliases">
          {prompt.aliases.length === 0 ? <p class="muted">No aliases.</p> : (
            <AliasLinks
              aliases={prompt.aliases}
              href={(v) => promptHref(prompt.name, v)}
              class="prompt-aliases"
            />
          )}
        </Section>
        <Section headingId="prompt-tags-heading" title="Tags">
          <KvTable id="prompt-tags" rows={tags} empty="No tags." />
        </Section>
      </div>

      {(withTemplate.length > 0 || diff) && (
        <CompareVersions name={prompt.name} versions={withTemplate} diff={diff} />
      )}

      <Section
        headingId="prompt-versions-heading"
        title="Versions"
        note={moreVersions ? `the newest ${versionsLimit}` : String(versions.length)}
      >
        {versions.length === 0 && <p class="muted">This prompt has no versions yet.</p>}
        <div class="prompt-versions">
          {versions.map((v, i) => (
            <PromptVersion
              key={v.version}
              name={prompt.name}
              version={v}
              aliases={aliasesOf(prompt.aliases, v.version)}
              previous={promptTemplate(v.tags) !== undefined &&
                  versions[i + 1] && promptTemplate(versions[i + 1].tags) !== undefined
                ? versions[i + 1].version
                : undefined}
            />
          ))}
        </div>
        {otherVersions.length > 0 && (
          <p class="muted">
            Also registered under this name without a template:{" "}
            {otherVersions.map((v, i) => (
              <span key={v.version}>
                {i > 0 && ", "}
                <a href={modelVersionHref(prompt.name, v.version)}>version {v.version}</a>
              </span>
            ))}.
          </p>
        )}
      </Section>
    </Layout>
  );
}
