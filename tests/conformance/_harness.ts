/** Registers conformance tests against a fresh store per test. */
import type { TrackingStore } from "../../store/types.ts";

/** Opens a fresh, empty store for one test, and how to close it. */
export type MakeStore = () => Promise<{ store: TrackingStore; close?: () => Promise<void> | void }>;

/** One conformance test body: gets its own fresh store. */
export type StoreTest = (store: TrackingStore, t: Deno.TestContext) => Promise<void>;

/** Registers `"[<backend>] <title>"`; titles read `"<method>() <behaviour>"`. */
export type Define = (title: string, fn: StoreTest) => void;

/** A {@linkcode Define} that gives each test its own store from `makeStore` and closes it. */
export function defineFor(name: string, makeStore: MakeStore): Define {
  return (title, fn) => {
    Deno.test(`[${name}] ${title}`, async (t) => {
      const { store, close } = await makeStore();
      try {
        await fn(store, t);
      } finally {
        await close?.();
      }
    });
  };
}
