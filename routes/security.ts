/**
 * MLflow 3.5's security middleware (mlflow-rest.md §1.5): a Host allowlist against DNS rebinding,
 * a block on cross-origin writes, two hardening headers, and 204 for API preflights.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** Options of {@linkcode security}. */
export interface SecurityOptions {
  /**
   * Extra accepted `Host` values besides loopback and private addresses: `name` (any port),
   * `name:port`, or `*.suffix`. `"*"` turns the check off (e.g. on Deno Deploy).
   */
  allowedHosts?: string[];
  /**
   * Extra origins (`scheme://host[:port]`) allowed to write to the API besides localhost and the
   * server's own origin. `"*"` turns the check off.
   */
  allowedOrigins?: string[];
}

const EXEMPT_FROM_HOST_CHECK = new Set(["/health", "/version"]);
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Splits `host[:port]` / `[v6][:port]` into a lowercase hostname (v6 keeps its brackets). */
function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

function ipv4(h: string): number[] | null {
  const parts = h.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const nums = parts.map(Number);
  return nums.every((n) => n <= 255) ? nums : null;
}

/** Loopback, `0.0.0.0` and the private ranges MLflow accepts by default. */
function isLocalOrPrivate(hostname: string): boolean {
  if (hostname === "localhost" || hostname === "[::1]") return true;
  const v4 = ipv4(hostname);
  if (v4) {
    const [a, b] = v4;
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || v4.every((n) => n === 0);
  }
  // fc00::/7: unique local IPv6 addresses.
  const m = /^\[([0-9a-f]{1,4}):/.exec(hostname);
  return m !== null && (parseInt(m[1].padStart(4, "0"), 16) & 0xfe00) === 0xfc00;
}

function matchesAllowedHost(host: string, allowed: string[]): boolean {
  const h = host.trim().toLowerCase();
  const name = hostnameOf(h);
  return allowed.some((raw) => {
    const a = raw.trim().toLowerCase();
    if (a === "*") return true;
    if (a.startsWith("*.")) return name.endsWith(a.slice(1));
    return a === h || a === name;
  });
}

function isLocalhostOrigin(origin: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(origin.hostname);
}

/**
 * The security middleware. Runs first so that its headers are on every reply, 403s included.
 */
export function security(opts: SecurityOptions = {}): MiddlewareHandler {
  const allowedHosts = opts.allowedHosts ?? [];
  const allowedOrigins = opts.allowedOrigins ?? [];
  return async (c, next) => {
    // app.request() in tests sends no Host header; the URL carries the same value then.
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    const path = c.req.path;
    const isApi = path.startsWith("/api/");
    if (
      !EXEMPT_FROM_HOST_CHECK.has(path) && !isLocalOrPrivate(hostnameOf(host)) &&
      !matchesAllowedHost(host, allowedHosts)
    ) {
      c.res = c.text("Invalid Host header - possible DNS rebinding attack detected", 403);
    } else if (isApi && c.req.method === "OPTIONS") {
      c.res = c.body(null, 204);
    } else if (
      isApi && WRITE_METHODS.has(c.req.method) && !originAllowed(c.req.header("origin"), host)
    ) {
      c.res = c.text("Cross-origin request blocked", 403);
    } else {
      await next();
    }
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("X-Frame-Options", "SAMEORIGIN");
  };

  /** Non-browser clients send no Origin; the UI sends its own, which is the server's. */
  function originAllowed(origin: string | undefined, host: string): boolean {
    if (origin === undefined) return true;
    if (allowedOrigins.includes("*") || allowedOrigins.includes(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // includes the opaque origin "null"
    }
    return isLocalhostOrigin(url) || url.host === host.trim().toLowerCase();
  }
}
