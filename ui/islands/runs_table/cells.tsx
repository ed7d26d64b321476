/**
 * The runs table's Dataset and Models cells: one line each, cut with an ellipsis, the whole list
 * in the hover text. Both read what the row already holds (see `run_links.ts`).
 *
 * @module
 */
import { Fragment } from "preact";
import { modelVersionHref } from "../../shared/models.ts";
import { datasetLabel } from "./run_links.ts";
import type { TableRun } from "./state.ts";
import type { VersionRef } from "./versions.ts";

/** The run's dataset inputs, "iris (a1b2c3d4) train, …". */
export function DatasetCell({ run }: { run: TableRun }) {
  const labels = (run.datasets ?? []).map(datasetLabel);
  return (
    <td class="rt-text rt-datasets" title={labels.join("\n") || undefined}>
      {labels.join(", ")}
    </td>
  );
}

/**
 * The run's models, each a link to its logged model page or its artifact folder, then the
 * registered versions made from the run, linked to their version pages.
 */
export function ModelsCell({ run, versions = [] }: { run: TableRun; versions?: VersionRef[] }) {
  const links = [
    ...(run.models ?? []),
    ...versions.map((v) => ({
      label: `${v.name} v${v.version}`,
      href: modelVersionHref(v.name, v.version),
      title: `Registered model ${v.name}, version ${v.version}`,
    })),
  ];
  return (
    <td class="rt-text rt-models" title={links.map((m) => m.title).join("\n") || undefined}>
      {links.map((m, i) => (
        <Fragment key={m.href + m.label}>
          {i > 0 && ", "}
          <a href={m.href} title={m.title}>{m.label}</a>
        </Fragment>
      ))}
    </td>
  );
}
