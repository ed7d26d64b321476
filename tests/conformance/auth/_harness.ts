/** Registers auth-store conformance tests against a fresh store (and a fake clock) per test. */
import type { AuthStore, AuthStoreOptions } from "../../../store/auth/types.ts";
import { T0 } from "../../fixtures.ts";

/** Opens a fresh, empty auth store with these options, and how to close it. */
export type MakeAuthStore = (
  opts: AuthStoreOptions,
) => Promise<{ store: AuthStore; close?: () => Promise<void> | void }>;

/** A settable clock the store reads through its `now` option. */
export interface Clock {
  now: number;
  advance(ms: number): void;
}

/** One conformance test body: its own store, the store's clock, and the test context. */
export type AuthTest = (store: AuthStore, clock: Clock, t: Deno.TestContext) => Promise<void>;

/** Registers `"[<backend>] <title>"`; titles read `"<method>() <behaviour>"`. */
export type DefineAuth = (title: string, fn: AuthTest) => void;

/** PBKDF2 cost in tests: real hashing, but cheap. */
export const TEST_ITERATIONS = 1000;

/** A password that passes the 12-character rule. */
export const PW = "correct horse battery";

/** A {@linkcode DefineAuth} that gives each test its own store from `make` and closes it. */
export function defineAuthFor(name: string, make: MakeAuthStore): DefineAuth {
  return (title, fn) => {
    Deno.test(`[${name}] ${title}`, async (t) => {
      const clock: Clock = {
        now: T0,
        advance(ms) {
          this.now += ms;
        },
      };
      const { store, close } = await make({
        pbkdf2Iterations: TEST_ITERATIONS,
        now: () => clock.now,
      });
      try {
        await fn(store, clock, t);
      } finally {
        await close?.();
      }
    });
  };
}
