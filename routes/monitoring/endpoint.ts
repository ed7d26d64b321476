/**
 * `GET /metrics`: the Prometheus scrape, served only with `--expose-prometheus` (routes/mod.ts
 * registers it then; otherwise the path is an unknown endpoint) and only to admins with auth on
 * (routes/auth/route_permissions.ts).
 *
 * @module
 */
import type { Handler } from "hono";
import type { AppEnv } from "../app_env.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./registry.ts";
import type { ServerMetrics } from "./server_metrics.ts";

/** Where the scrape is served, as in MLflow (`mlflow server --expose-prometheus`). */
export const METRICS_PATH = "/metrics";

/** The scrape handler over `metrics`. */
export function metricsEndpoint(metrics: ServerMetrics): Handler<AppEnv> {
  return () =>
    new Response(metrics.render(), {
      headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
    });
}
