/**
 * @module
 * How often pages refresh what is still running (the runs table's rows, a run's charts and
 * status), while the tab is visible.
 */

/** One period for every live view, so a run's page and its experiment's table agree. */
export const LIVE_POLL_MS = 5000;
