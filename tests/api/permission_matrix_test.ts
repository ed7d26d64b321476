/**
 * The HTTP permission matrix (issue 11, Tests): every declared route (routes/auth/
 * route_permissions.ts), and its `/ajax-api` twin where it has one, × {anonymous,
 * NO_PERMISSIONS, READ, EDIT, MANAGE, admin}, sent to one app with auth on. The expected answer
 * is computed from the route's declaration by `decide` (tests/route_permissions_test.ts checks
 * `decide` against §8 by hand): anonymous → 401 in kvflow's exact form except on public routes;
 * refused → 403 `PERMISSION_DENIED`; allowed → the handler's own answer to the route's valid
 * sample (tests/api/permission_samples.ts), exactly.
 *
 * Views of many items (searches, pages) must not show a NO_PERMISSIONS caller the shared
 * fixture; a caller from whom something is hidden may be refused them outright instead (JSON for
 * the API, the HTML 403 page for a page), or get 404 for a page about a hidden item.
 *
 * @module
 */
import assert from "node:assert/strict";
import { decide, type Decision } from "../../routes/auth/decide.ts";
import { ROUTE_PERMISSIONS, type RoutePermission } from "../../routes/auth/route_permissions.ts";
import {
  type AuthWorld,
  type CallerKind,
  CALLERS,
  createAuthWorld,
  fullPath,
  not401,
  not403,
  type Reply,
  USER_OF,
} from "../helpers/auth_world.ts";
import { hasAjaxTwin, ROUTE_SAMPLES, type Sample } from "./permission_samples.ts";

const DECLARED = Object.keys(ROUTE_PERMISSIONS);

Deno.test("permission matrix: every declared route has a sample request, and no sample is stale", () => {
  const missing = DECLARED.filter((k) => !(ROUTE_SAMPLES[k]?.length > 0));
  assert.deepEqual(
    missing,
    [],
    `routes without a sample in tests/api/permission_samples.ts (add one, so the permission ` +
      `matrix covers them):\n  ${missing.join("\n  ")}`,
  );
  const stale = Object.keys(ROUTE_SAMPLES).filter((k) => !Object.hasOwn(ROUTE_PERMISSIONS, k));
  assert.deepEqual(stale, [], `samples no declared route matches:\n  ${stale.join("\n  ")}`);
  // User routes about one user say which one, so the matrix can tell self from other.
  for (const key of DECLARED) {
    const perm = ROUTE_PERMISSIONS[key];
    if (perm.resource !== "user" || !("id" in perm)) continue;
    for (const s of ROUTE_SAMPLES[key]) assert.ok(s.about, `${key}: sample lacks about`);
  }
});

/** What the declaration says for this caller, who holds their level on the sample's resource. */
function expected(w: AuthWorld, perm: RoutePermission, caller: CallerKind, s: Sample): Decision {
  const level = caller === "anonymous" || caller === "admin" ? null : caller;
  const username = caller === "anonymous" ? "" : USER_OF[caller];
  return decide({
    permission: perm,
    caller: caller === "anonymous" ? null : { username, isAdmin: caller === "admin" },
    grant: level,
    defaultPermission: w.defaultPermission,
    targetUsername: s.about === "self" ? username : s.about === "other" ? "bystander" : undefined,
  });
}

/** The shared fixture's names and ids: a NO_PERMISSIONS caller must see none of them. */
function hidden(w: AuthWorld): string[] {
  return [w.expName, w.run, w.model, w.loggedModel];
}

function check(
  w: AuthWorld,
  want: Decision,
  caller: CallerKind,
  s: Sample,
  reply: Reply,
): string | null {
  if (want === "unauthenticated") return not401(reply);
  if (want === "forbidden") return not403(reply);
  const leaked = hidden(w).find((h) => reply.text.includes(h));
  if (s.shows && caller === "NO_PERMISSIONS") {
    if (leaked) return `shows ${leaked}, which the caller may not read`;
    // Refused as a whole (a page with its HTML 403 page), or a page about a hidden item not found.
    if (reply.status === 403) return s.page ? isPage(reply) : not403(reply, null);
    if (reply.status === 404) return null;
  }
  const ok = typeof s.ok === "function" ? [s.ok(caller)] : typeof s.ok === "number" ? [s.ok] : s.ok;
  if (!ok.includes(reply.status)) {
    return `status ${reply.status}, want ${ok.join(" or ")}: ${reply.text.slice(0, 200)}`;
  }
  // A handler's own 403 (declared allowed): only a page's, as the page.
  if (reply.status === 403) return s.page ? isPage(reply) : not403(reply, null);
  if (reply.status === 401) return "an allowed caller got 401";
  return null;
}

/** A page's refusal: its HTML 403 page, or the API's JSON `PERMISSION_DENIED`. */
function isPage(reply: Reply): string | null {
  return /^text\/html/.test(reply.type) ? null : not403(reply, null);
}

function ajaxTwin(path: string): string {
  const full = fullPath(path);
  return `/ajax-api/${full.slice("/api/".length)}`;
}

Deno.test("permission matrix: every route × caller gets what its declaration says", async () => {
  await using w = await createAuthWorld();
  const failures: string[] = [];
  let cases = 0;
  for (const key of DECLARED) {
    const perm = ROUTE_PERMISSIONS[key];
    const prefixes = hasAjaxTwin(key) ? ["api", "ajax-api"] : ["api"];
    for (const sample of ROUTE_SAMPLES[key] ?? []) {
      for (const prefix of prefixes) {
        for (const caller of CALLERS) {
          const req = await sample.request(w, caller);
          if (prefix === "ajax-api") req.path = ajaxTwin(req.path);
          const reply = await w.as(caller, req);
          const want = expected(w, perm, caller, sample);
          const why = check(w, want, caller, sample, reply);
          cases++;
          if (why !== null) {
            const label = sample.label ?? sample.about ?? "";
            failures.push(
              `${key}${
                label ? ` (${label})` : ""
              } via /${prefix} as ${caller}: want ${want}; ${why}`,
            );
          }
        }
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases} cases:\n${failures.join("\n")}`);
  assert.ok(cases >= DECLARED.length * CALLERS.length, `${cases} cases`);
});
