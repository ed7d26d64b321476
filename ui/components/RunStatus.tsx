import type { RunStatus as Status } from "../../store/types.ts";

const LABELS: Record<Status, string> = {
  RUNNING: "Running",
  SCHEDULED: "Scheduled",
  FINISHED: "Finished",
  FAILED: "Failed",
  KILLED: "Killed",
};

/** A run's status as a coloured badge (the colour is decoration; the word carries the meaning). */
export function RunStatus({ status }: { status: Status }) {
  return (
    <span class={`badge badge--${status.toLowerCase()}`}>
      <span class="badge__dot" aria-hidden="true" />
      {LABELS[status] ?? status}
    </span>
  );
}
