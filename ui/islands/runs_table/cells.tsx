/**
 * The runs table's Dataset and Models cells: one line each, cut with an ellipsis, the whole list
 * in the hover text. Both read what the row already holds (see `run_links.ts`).
 *
 * @module
 */
import { Fragment } from "preact";
import { datasetLabel } from "./run_links.ts";
import type { TableRun } from "./state.ts";

/** The run's dataset inputs, "iris (a1b2c3d4) train, …". */
export function DatasetCell({ run }: { run: TableRun }) {
  const labels = (run.datasets ?? []).map(datasetLabel);
  return (
    <td class="rt-text rt-datasets" title={labels.join("\n") || undefined}>
      {labels.join(", ")}
    </td>
  );
}

/** The run's models, each a link to its logged model page or its artifact folder. */
export function ModelsCell({ run }: { run: TableRun }) {
  const models = run.models ?? [];
  return (
    <td class="rt-text rt-models" title={models.map((m) => m.title).join("\n") || undefined}>
      {models.map((m, i) => (
        <Fragment key={m.href}>
          {i > 0 && ", "}
          <a href={m.href} title={m.title}>{m.label}</a>
        </Fragment>
      ))}
    </td>
  );
}
