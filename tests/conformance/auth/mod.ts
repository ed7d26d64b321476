/** The auth-store conformance suite: every area, registered against one backend. */
import { defineAuthFor, type MakeAuthStore } from "./_harness.ts";
import { failedLoginConformance } from "./failed_logins.ts";
import { grantConformance } from "./grants.ts";
import { secretConformance } from "./secrets.ts";
import { sessionConformance } from "./sessions.ts";
import { tokenConformance } from "./tokens.ts";
import { userConformance } from "./users.ts";

/** Registers the whole suite as `"[<name>] …"` tests, each on a fresh store from `make`. */
export function runAuthStoreConformance(name: string, make: MakeAuthStore): void {
  const test = defineAuthFor(name, make);
  userConformance(test);
  grantConformance(test);
  tokenConformance(test);
  sessionConformance(test);
  failedLoginConformance(test);
  secretConformance(test);
}
